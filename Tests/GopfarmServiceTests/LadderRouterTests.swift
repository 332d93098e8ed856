import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Ladder jobs through the API in process: what `settings.ladder` accepts and refuses (the
/// CLI's sentences), and `GET /v1/jobs/{id}/files/…` on a finished ladder's directory: its
/// owner and ops read it with the players' content types, another producer cannot tell it
/// exists, and no path leads out of the directory.
@Suite("Ladder jobs through the API")
struct LadderRouterTests {
    typealias H = APIRouterTests

    @Test("a ladder as the CLI's text or a partial object is a job whose output is a directory name; bad ones are refused with the CLI's sentence")
    func submission() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let text = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                        json: #"{"input":"\#(h.clip)","outputName":"film.mp4","settings":{"codec":"libx264","ladder":"240p:400k,160p:200k"}}"#)
            #expect(text.status == 201, "\(text.text)")
            let view = try APIJSON.decoder.decode(JobView.self, from: Data(text.text.utf8))
            #expect(view.outputName == "film")
            #expect(view.ladder?.requested == "240p:400k,160p:200k")
            #expect(view.ladder?.packages == ["hls", "dash"])

            let object = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: """
                {"input":"\(h.clip)","settings":{"codec":"libx264","ladder":{"rungs":[{"height":240,"bitrate":"400k"},"160p:200k:abr",{"height":160,"bitrate":150000,"codec":"libsvtav1","preset":"12"}],"packages":["hls"],"segmentSeconds":2}}}
                """)
            #expect(object.status == 201, "\(object.text)")
            let second = try APIJSON.decoder.decode(JobView.self, from: Data(object.text.utf8))
            #expect(second.outputName == "clip")
            #expect(second.ladder?.packages == ["hls"] && second.ladder?.segmentSeconds == 2)
            // What was asked, as `--ladder` takes it (it said 160p-av1:150k, which the CLI refuses).
            #expect(second.ladder?.requested == "240p:400k,160p:200k:abr,160p:150k:libsvtav1:preset=12", "\(second.ladder?.requested ?? "")")
            _ = try Ladder(parsing: second.ladder!.requested)
            let stored = try #require(try await h.service.store.job(second.id)?.decodedSubmission?.settings.ladder)
            #expect(stored.rungs.map(\.height) == [240, 160, 160] && stored.rungs.map(\.bitrate) == [400_000, 200_000, 150_000])
            #expect(stored.rungs.map(\.averageBitrate) == [false, true, false])
            #expect(stored.rungs.map(\.name) == ["240p", "160p", "160p-av1"] && stored.rungs.map(\.preset) == [nil, nil, "12"])

            // Tone mapping: the job's `sdr`, and a rung's own (an HDR ladder with SDR rungs beside).
            let sdr = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: """
                {"input":"\(h.clip)","settings":{"codec":"libx264","sdr":true,"ladder":{"rungs":[{"height":240,"bitrate":"400k","sdr":true},"160p:200k:sdr","160p:150k"]}}}
                """)
            #expect(sdr.status == 201, "\(sdr.text)")
            let third = try APIJSON.decoder.decode(JobView.self, from: Data(sdr.text.utf8))
            #expect(third.ladder?.requested == "240p:400k:sdr,160p:200k:sdr,160p:150k", "\(third.ladder?.requested ?? "")")
            let toneMapped = try #require(try await h.service.store.job(third.id)?.decodedSubmission?.settings)
            #expect(toneMapped.sdr && toneMapped.ladder?.rungs.map(\.sdr) == [true, true, false])
            #expect(toneMapped.ladder?.rungs.map(\.name) == ["240p-sdr", "160p-sdr", "160p"])

            // Each refusal is the sentence the CLI prints for the same flags.
            let cases: [(String, Int, String)] = [
                (#""ladder":"720p:fast""#, 422, Self.cliSentence { _ = try Ladder(parsing: "720p:fast") }),
                (#""ladder":"240p:400k","scale":{"width":-2,"height":720}"#, 422, "a ladder sets each rung's size; give no scale with it"),
                (#""ladder":{"rungs":["240p:400k"],"packages":"hls,smooth"}"#, 422, Self.cliSentence { _ = try PackageFormat.parseList("hls,smooth") }),
                (#""ladder":{"rungs":[{"height":240,"bitrate":"400k","tune":"film"}]}"#, 400, "unknown field 'tune' in settings.ladder.rungs.0"),
                (#""ladder":{"rung":["240p:400k"]}"#, 400, "unknown field 'rung' in settings.ladder"),
                (#""codec":"libx264","ladder":{"rungs":[{"height":240,"bitrate":"400k","codec":"libsvtav1","preset":"fast"}]}"#, 422,
                 "rung 240p-av1: preset for libsvtav1 is a number from 0 (slowest) to 13 (fastest), not 'fast'"),
                (#""ladder":{"rungs":[{"height":"tall","bitrate":1000000}]}"#, 400, "field 'settings.ladder.rungs.0.height'"),
                (#""ladder":"auto","codec":"libvpx-vp9""#, 422, "ladder auto encodes libx264 or libx265, not libvpx-vp9"),
            ]
            for (settings, status, sentence) in cases {
                let fields = settings.contains(#""codec""#) ? settings : #""codec":"libx264","# + settings
                let r = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","settings":{\#(fields)}}"#)
                #expect(r.status == status && (r.error ?? "").hasPrefix(sentence), "\(settings): \(r.status) \(r.text)")
            }
            let badName = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                           json: #"{"input":"\#(h.clip)","outputName":".hidden","settings":{"codec":"libx264","ladder":"240p:400k"}}"#)
            #expect(badName.status == 422 && (badName.error ?? "").hasPrefix("a ladder's output name must be a plain directory name"), "\(badName.text)")
            // `film/` names the directory as `transcode -o film/` does (the dashboard refused it).
            #expect(throws: Never.self) { try JobSubmission.checkLadderOutputName("film/") }
            #expect(JobSubmission.ladderDirectoryName("film/") == "film" && JobSubmission.ladderDirectoryName("film.mp4") == "film")
            #expect(throws: MediaError.self) { try JobSubmission.checkLadderOutputName("a/b/") }
            // As transcode and fetch refuse it (it was kept as a directory named x.m3u8).
            let playlistName = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                                json: #"{"input":"\#(h.clip)","outputName":"x.m3u8","settings":{"codec":"libx264","ladder":"240p:400k"}}"#)
            #expect(playlistName.status == 422 && (playlistName.error ?? "").contains("not a .m3u8 file"), "\(playlistName.text)")
        }
    }

    @Test("files: the owner and ops read a done ladder's files with the players' content types; another producer gets a 404")
    func files() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        let (id, directory) = try await Self.doneLadder(h)
        try await h.test { client in
            let types = ["master.m3u8": "application/vnd.apple.mpegurl", "manifest.mpd": "application/dash+xml",
                         "video-240p/init.mp4": "video/mp4", "video-240p/seg-00001.m4s": "video/iso.segment",
                         "subtitles-eng/seg-00001.vtt": "text/vtt", "ladder.json": "application/json", "ladder.html": "text/html"]
            for (file, type) in types {
                let r = try await client.execute(uri: "/v1/jobs/\(id)/files/\(file)", method: .get, headers: [.authorization: "Bearer \(h.alice)"])
                #expect(r.status == .ok, "\(file): \(r.status)")
                #expect(r.headers[.contentType]?.hasPrefix(type) == true, "\(file): \(r.headers[.contentType] ?? "none")")
                #expect(Data(buffer: r.body) == (try Data(contentsOf: directory.appendingPathComponent(file))), "\(file) is not the file on disk")
            }
            #expect(try await H.send(client, .get, "/v1/jobs/\(id)/files/master.m3u8", token: h.ops).status == 200)
            let other = try await H.send(client, .get, "/v1/jobs/\(id)/files/master.m3u8", token: h.bob)
            #expect(other.status == 404 && other.error == "no job \(id)", "\(other.text)")
            #expect(try await H.send(client, .get, "/v1/jobs/\(id)/files/master.m3u8").status == 401)
            #expect(try await H.send(client, .get, "/v1/jobs/\(id)/files/video-240p/seg-09999.m4s", token: h.alice).status == 404)
            #expect(try await H.send(client, .get, "/v1/jobs/\(id)/files/video-240p", token: h.alice).status == 404, "a directory is not a file")

            // The single-file download points at the files instead.
            let output = try await H.send(client, .get, "/v1/jobs/\(id)/output", token: h.alice)
            #expect(output.status == 409 && (output.error ?? "").contains("/v1/jobs/\(id)/files/master.m3u8"), "\(output.text)")

            // The job's view lists the tracks the store recorded and where the manifests are.
            let view = try APIJSON.decoder.decode(JobView.self, from: Data(try await H.send(client, .get, "/v1/jobs/\(id)", token: h.alice).text.utf8))
            let ladder = try #require(view.ladder)
            #expect(ladder.renditions.map(\.name) == ["240p", "160p", "audio-und", "subtitles-eng"])
            #expect(ladder.renditions.first?.size == "426x240" && ladder.renditions.first?.averageBitrate == 380_000)
            #expect(ladder.renditions.first?.psnr == nil, "no quality was measured")
            #expect(ladder.hlsURL == "/v1/jobs/\(id)/files/master.m3u8" && ladder.dashURL == "/v1/jobs/\(id)/files/manifest.mpd")
            #expect(ladder.files?.contains("video-160p/seg-00001.m4s") == true)
            #expect(view.outputBytes == 5000 && view.outputFrames == 48)
        }
        // A done webhook names the master playlist, not the single-file download (a 409 here).
        let row = try #require(try await h.service.store.job(id))
        #expect(JobStore.outputURL(row) == "/v1/jobs/\(id)/files/master.m3u8")
    }

    @Test("files: .., hidden names and links out of the directory are refused; an unfinished job has none yet")
    func traversal() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        let (id, directory) = try await Self.doneLadder(h)
        let secret = h.farm.directory.appendingPathComponent("secret.txt")
        try Data("secret".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("leak.m3u8").path, withDestinationPath: secret.path)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("up").path, withDestinationPath: h.farm.directory.path)
        try await h.test { client in
            for path in ["%2e%2e/%2e%2e/secret.txt", "video-240p/%2e%2e/%2e%2e/secret.txt", ".hidden", "%2Fetc%2Fpasswd", "a%5C..%5Cb"] {
                let r = try await H.send(client, .get, "/v1/jobs/\(id)/files/\(path)", token: h.alice)
                #expect(r.status == 400, "\(path): \(r.status) \(r.text)")
                #expect(!r.text.contains("secret\""), "\(path) leaked the file")
            }
            // HEAD answers a file's headers (a CDN or player checking it); /files alone is no route
            // (it was a 405 that said GET is not taken and GET is taken).
            let head = try await H.send(client, .head, "/v1/jobs/\(id)/files/master.m3u8", token: h.alice)
            #expect(head.status == 200 && head.text.isEmpty, "\(head.status) \(head.text)")
            for bare in ["files", "files/"] {
                let r = try await H.send(client, .get, "/v1/jobs/\(id)/\(bare)", token: h.alice)
                #expect(r.status == 404 && (r.error ?? "").hasPrefix("no such route"), "\(bare): \(r.status) \(r.text)")
            }
            for path in ["leak.m3u8", "up/secret.txt"] {
                let r = try await H.send(client, .get, "/v1/jobs/\(id)/files/\(path)", token: h.alice)
                #expect(r.status == 404 && !r.text.hasPrefix("secret"), "\(path): \(r.status) \(r.text)")
            }
            let made = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                        json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264","ladder":"240p:400k"}}"#)
            let queued = try #require(made.json()?["id"] as? String, "\(made.text)")
            let early = try await H.send(client, .get, "/v1/jobs/\(queued)/files/master.m3u8", token: h.alice)
            #expect(early.status == 409 && (early.error ?? "").contains("its output exists once it is done"), "\(early.text)")
        }
    }

    @Test("a preset may carry a ladder in the same shapes; a job over it is a ladder job")
    func preset() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let made = try await H.send(client, .post, "/v1/presets", token: h.alice,
                                        json: #"{"name":"web-abr","settings":{"codec":"libx264","preset":"fast","ladder":{"rungs":["240p:400k"],"packages":"hls"}}}"#)
            #expect(made.status == 201, "\(made.text)")
            let job = try await H.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"input":"\#(h.clip)","preset":"web-abr"}"#)
            #expect(job.status == 201, "\(job.text)")
            let view = try APIJSON.decoder.decode(JobView.self, from: Data(job.text.utf8))
            #expect(view.ladder?.requested == "240p:400k" && view.ladder?.packages == ["hls"] && view.outputName == "clip")
            let bad = try await H.send(client, .post, "/v1/presets", token: h.alice, json: #"{"name":"bad","settings":{"codec":"libx264","ladder":"240p"}}"#)
            #expect(bad.status == 422 && (bad.error ?? "").hasPrefix("a rung is HEIGHTp:RATE"), "\(bad.text)")
        }
    }

    @Test("rates read as the CLI's --ladder writes them, and parse back")
    func rates() {
        let cases: [(Int, String, String)] = [(6_000_000, "6M", "6 Mbit/s"), (1_200_000, "1.2M", "1.2 Mbit/s"), (2_345_678, "2.35M", "2.35 Mbit/s"),
                                              (700_000, "700k", "700 kbit/s"), (651_630, "652k", "652 kbit/s"), (95_340, "95.34k", "95.3 kbit/s"),
                                              (950, "950", "950 bit/s")]
        for (bits, text, shown) in cases {
            #expect(JobLadder.rateText(bits) == text)
            #expect(JobLadder.bitRate(bits) == shown)
            if bits % 10_000 == 0 { #expect(LadderRung.parseRate(text) == bits, "\(text)") }
        }
    }

    /// The MediaError sentence a CLI parse throws.
    static func cliSentence(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as MediaError { return error.description } catch { return "\(error)" }
        return "(no error)"
    }

    /// A ladder job of alice's, done: its directory written as the packager lays it out, and the
    /// packager's report recorded by the store as the stitch step records it.
    static func doneLadder(_ h: H.Harness) async throws -> (String, URL) {
        let id = "ladder" + String(UUID().uuidString.prefix(6)).lowercased().filter(\.isLetter)
        let directory = h.service.config.outputs.appendingPathComponent(id).appendingPathComponent("film")
        let files = ["master.m3u8", "manifest.mpd", "video-240p/init.mp4", "video-240p/seg-00001.m4s", "video-240p/playlist.m3u8",
                     "video-160p/init.mp4", "video-160p/seg-00001.m4s", "video-160p/playlist.m3u8", "audio-und/init.mp4",
                     "audio-und/seg-00001.m4s", "subtitles-eng/seg-00001.vtt", "ladder.json", "ladder.html"]
        for file in files {
            let url = directory.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("\(file) of \(id)\n".utf8).write(to: url)
        }
        var submission = JobSubmission(input: h.clip, outputName: "film", settings: EncodeSettings(codec: "libx264"))
        submission.settings.ladder = try Ladder(parsing: "240p:400k,160p:200k")
        let row = JobRow(id: id, seq: 0, owner: "alice", priority: .normal, state: .queued, input: h.clip, outputName: "film", outputPath: nil,
                         submission: JobStore.json(submission), submittedAt: Date(), startedAt: nil, finishedAt: nil, error: nil,
                         warnings: "[]", segmentsTotal: 1, framesTotal: 48, segmentsDone: 1, framesDone: 48, outputFrames: nil, outputBytes: nil)
        try await h.service.store.insert(row)
        let report = try JSONDecoder().decode(PackageReport.self, from: Data("""
            {"videoFrames": 48, "segmentSeconds": 2, "totalBytes": 5000, "packages": ["hls", "dash"], "warnings": [],
             "files": \(String(decoding: try JSONEncoder().encode(files.filter { !$0.hasPrefix("ladder.") }), as: UTF8.self)),
             "renditions": [
               {"name": "240p", "codec": "h264", "codecs": "avc1.64000d", "width": 426, "height": 240, "frames": 48, "bytes": 3000,
                "peakBitrate": 420000, "averageBitrate": 380000, "segments": 1},
               {"name": "160p", "codec": "h264", "codecs": "avc1.64000c", "width": 284, "height": 160, "frames": 48, "bytes": 1500,
                "peakBitrate": 210000, "averageBitrate": 190000, "segments": 1}],
             "audioTracks": [{"name": "audio-und", "sourceStream": 1, "sourceCodec": "aac", "codecs": "mp4a.40.2", "channels": 2,
                              "sampleRate": 48000, "bytes": 400, "peakBitrate": 130000, "averageBitrate": 128000, "segments": 1}],
             "subtitleTracks": [{"name": "subtitles-eng", "sourceStream": 2, "sourceCodec": "mov_text", "language": "eng", "cues": 3, "bytes": 100}]}
            """.utf8))
        var packaged = report
        packaged.files += ["ladder.json", "ladder.html"]
        try h.service.store.finishLadder(id, directory: directory.path, report: packaged, quality: nil, warnings: [])
        try await h.service.store.pool.write { db in
            try db.execute(sql: "UPDATE jobs SET state = 'done', startedAt = ?, finishedAt = ? WHERE id = ?", arguments: [Date(), Date(), id])
        }
        return (id, directory)
    }
}
