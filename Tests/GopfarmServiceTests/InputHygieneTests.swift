import Foundation
import GopfarmAPI
import HTTPTypes
@testable import GopfarmService
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Which files a submission may name: another producer's upload is refused however it is named,
/// every path outside the roots gets one 403 sentence whether or not it exists, the data
/// directory is never an input, and a huge pixel format is refused before it is stored.
@Suite("Input hygiene")
struct InputHygieneTests {
    typealias H = APIRouterTests

    @Test("another producer naming an upload by its path under uploads/ is refused (403); its owner may")
    func uploadByPath() async throws {
        let h = try await H.Harness(maxUpload: 1 << 20)
        defer { h.remove() }
        try await h.test { client in
            let headers: [HTTPField.Name: String] = [.contentType: "application/octet-stream", HTTPField.Name("X-Filename")!: "clip.mp4"]
            let clip = try Data(contentsOf: URL(fileURLWithPath: h.clip))
            let up = try await H.send(client, .post, "/v1/uploads", token: h.bob, body: clip, headers: headers)
            #expect(up.status == 201, "\(up.text)")
            let uid = try #require(up.json()?["upload"] as? String)
            let path = h.service.config.uploads.appendingPathComponent("\(uid)-clip.mp4").path
            #expect(FileManager.default.fileExists(atPath: path))
            // The path as stored, and one that reaches it another way (a doubled slash, a `.`).
            let spelled = h.service.config.uploads.path + "/./" + "\(uid)-clip.mp4"
            for name in [path, spelled, path.replacingOccurrences(of: "/uploads/", with: "/uploads//")] {
                let alices = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(name)","settings":{"codec":"libx264"}}"#)
                #expect(alices.status == 403, "\(name): \(alices.text)")
                #expect((alices.error ?? "").contains("is not an upload of yours"))
            }
            let bobs = try await H.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"input":"\#(path)","settings":{"codec":"libx264"}}"#)
            #expect(bobs.status == 201, "\(bobs.text)")
            // A missing upload gets the same answer as an existing one of another producer's,
            // so the answers tell nothing about which uploads exist.
            let missing = h.service.config.uploads.appendingPathComponent("0123456789ab-other.mp4").path
            let guessed = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(missing)","settings":{"codec":"libx264"}}"#)
            #expect(guessed.status == 403 && guessed.error == "input \(missing) is not an upload of yours (submit your own uploads by their id: \"upload\")",
                    "\(guessed.text)")
        }
    }

    @Test("outside the roots: one 403 sentence whether the file exists or not; inside, a missing file is a 422")
    func oneAnswerOutside() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            for path in ["/etc/passwd", "/etc/no-such-file-gopfarm", "/no/such/dir/file.mp4", h.service.config.databasePath,
                         h.service.config.adminTokenPath.path] {
                let r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(path)","settings":{"codec":"libx264"}}"#)
                #expect(r.status == 403, "\(path): \(r.text)")
                #expect(r.error == "input \(path) is outside the coordinator's input roots (\(h.inputs.path))", "\(r.text)")
            }
            let missing = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.inputs.path)/missing.mp4","settings":{"codec":"libx264"}}"#)
            #expect(missing.status == 422, "\(missing.text)")
        }
    }

    /// Names others see in tables and logs carry no escape sequences or line breaks: one
    /// producer's ESC [2J would clear ops' terminal in `gopfarm status` or `gopfarm jobs`.
    @Test("control characters are refused in output names, input paths and webhook URLs, and echoed escaped")
    func controlCharacters() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let clip = try JSONSerialization.data(withJSONObject: h.clip, options: .fragmentsAllowed)
            let input = String(decoding: clip, as: UTF8.self)
            let named = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                         json: #"{"input":\#(input),"outputName":"\u001b[2Jred\nx.mp4","settings":{"codec":"libx264"}}"#)
            #expect(named.status == 422 || named.status == 400, "\(named.text)")
            #expect(named.error == #"the output name must be a plain file name such as movie.mp4, not '\u{1B}[2Jred\u{A}x.mp4'"#, "\(named.text)")
            let hooked = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                          json: #"{"input":\#(input),"webhooks":[{"url":"http://example.com/\u001b[31m"}],"settings":{"codec":"libx264"}}"#)
            #expect([400, 422].contains(hooked.status) && (hooked.error ?? "").contains(#"\u{1B}[31m"#), "\(hooked.text)")
            let path = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                        json: #"{"input":"\#(h.inputs.path)/a\nb.mp4","settings":{"codec":"libx264"}}"#)
            #expect(path.status == 400 && (path.error ?? "").hasPrefix("input paths may not contain control characters"), "\(path.text)")
            #expect(!named.text.contains("\u{1B}") && !hooked.text.contains("\u{1B}"))
            // A right-to-left override would show "film\u{202E}4pm.exe" as "filmexe.mp4".
            let spoofed = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                           json: #"{"input":\#(input),"outputName":"film\u202E4pm.exe","settings":{"codec":"libx264"}}"#)
            #expect([400, 422].contains(spoofed.status) && (spoofed.error ?? "").contains(#"film\u{202E}4pm.exe"#), "\(spoofed.text)")
        }
    }

    @Test("the data directory is never an input, even inside a root")
    func dataDirectoryInsideARoot() throws {
        let root = TestPaths.scratch("input-policy")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("gopfarm-data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("uploads"), withIntermediateDirectories: true)
        for name in ["gopfarm-data/gopfarm.sqlite", "gopfarm-data/uploads/abc-x.mp4", "clip.mp4"] {
            try Data([1]).write(to: root.appendingPathComponent(name))
        }
        let policy = InputPolicy(roots: [root.path], uploads: data.appendingPathComponent("uploads").path, dataDirectory: data.path)
        #expect(throws: APIError.self) { try policy.check(data.appendingPathComponent("gopfarm.sqlite").path) }
        // The same answer for a file that is there and one that is not: nothing about what the
        // data directory holds.
        func answer(_ name: String) -> String {
            do { _ = try policy.check(data.appendingPathComponent(name).path); return "accepted" } catch {
                return "\(error.status.code) " + error.message.replacingOccurrences(of: name, with: "NAME")
            }
        }
        #expect(answer("gopfarm.sqlite").hasPrefix("403 ") && answer("gopfarm.sqlite") == answer("nonexistent"), "\(answer("nonexistent"))")
        #expect(try policy.check(root.appendingPathComponent("clip.mp4").path).hasSuffix("/clip.mp4"))
        // Only regular files: a FIFO was accepted, and its job could never read it.
        let fifo = root.appendingPathComponent("pipe.mp4").path
        try #require(mkfifo(fifo, 0o644) == 0)
        do { _ = try policy.check(fifo); Issue.record("a FIFO accepted") } catch {
            #expect(error.status.code == 422 && error.message == "input \(fifo) is not a readable regular file", "\(error.message)")
        }
        let upload = try policy.check(data.appendingPathComponent("uploads/abc-x.mp4").path)
        #expect(policy.isUpload(upload))
    }

    @Test("a 900 KB pixel format is refused with a short sentence and the job list stays valid JSON")
    func hugePixelFormat() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let format = String(repeating: "y", count: 900_000)
            let r = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                     json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264","pixelFormat":"\#(format)"}}"#)
            #expect(r.status == 422, "\(r.status) \(r.text.prefix(200))")
            #expect(r.text.count < 300)
            let list = try await H.send(client, .get, "/v1/jobs", token: h.ops)
            #expect(list.status == 200)
            #expect(try JSONSerialization.jsonObject(with: Data(list.text.utf8)) is [Any])
        }
    }
}
