import Foundation
import GopfarmAPI
import GopfarmCommon
@testable import GopfarmClient
@testable import GopfarmService
import Hummingbird
import HummingbirdTesting
import ServiceTestSupport
import Testing
import TestSupport

/// The client against the real router, in process on a loopback port (HummingbirdTesting's live
/// mode: the client needs a socket), over a real store: every call decodes the server's answer,
/// and every refusal becomes the server's sentence.
@Suite("API client against the router")
struct APIClientTests {
    @Test("submit, list, view and cancel a job")
    func jobs() async throws {
        let farm = try await TestFarmService("client")
        defer { farm.remove() }
        let clip = farm.clip
        try await farm.withClient { api in
            let job = try await api.submit(JobSubmission(input: clip, settings: .init(codec: "libx264", preset: "ultrafast"), maxAgents: 2))
            #expect(job.state == .queued && job.codec == "libx264" && job.outputName == "clip.mp4" && job.maxAgents == 2)
            #expect(try await api.jobs().map(\.id) == [job.id])
            #expect(try await api.job(job.id).id == job.id)
            let cancelled = try await api.cancel(job.id)
            #expect(cancelled.state == .cancelled && cancelled.finishedAt != nil)
            await #expect(throws: ClientError.server(status: 404, message: "no job nope")) { try await api.job("nope") }
        }
    }

    /// An answer is kept whole however long (a job's view after a chaos run lists hundreds of
    /// attempts); only error bodies are cut at 64 KiB. The list of 300 jobs is well over that.
    @Test("a long answer decodes whole")
    func longAnswers() async throws {
        let farm = try await TestFarmService("client")
        defer { farm.remove() }
        let clip = farm.clip
        try await farm.withClient { api in
            for _ in 0..<300 { _ = try await api.submit(JobSubmission(input: clip, settings: .init(codec: "libx264", preset: "ultrafast"))) }
            let bytes = try JSONEncoder().encode(try await api.jobs()).count
            #expect(try await api.jobs().count == 300, "\(bytes) bytes")
            #expect(bytes > 65_536)
        }
    }

    @Test("a refused job is the server's sentence, the same the CLI's rules give")
    func refusals() async throws {
        let farm = try await TestFarmService("client")
        defer { farm.remove() }
        let clip = farm.clip
        try await farm.withClient { api in
            let bad = JobSubmission(input: clip, settings: .init(codec: "libx264", crf: 60))
            var local = ""
            do { try bad.validate() } catch { local = String(describing: error) }
            await #expect(throws: ClientError.server(status: 422, message: local)) { try await api.submit(bad) }
            do {
                _ = try await api.submit(JobSubmission(input: "/etc/passwd", settings: .init()))
                Issue.record("a path outside the input roots was accepted")
            } catch let ClientError.server(status, message) {
                #expect(status == 403 && message.hasPrefix("input /etc/passwd is outside the coordinator's input roots"), "\(message)")
            }
        }
        try await farm.withClient(token: "gf_wrong") { api in
            await #expect(throws: ClientError.unauthorized) { try await api.jobs() }
        }
    }

    @Test("tokens, agent keys with path characters, drain, the coordinator")
    func opsCalls() async throws {
        let farm = try await TestFarmService("client")
        defer { farm.remove() }
        try await farm.withClient { api in
            let created = try await api.createToken(TokenRequest(name: "carol", role: .producer))
            #expect(created.name == "carol" && created.role == .producer && !created.token.isEmpty)
            let key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
            let allowed = try await api.allowAgentKey(AgentKeyRequest(publicKey: key, name: "a1"))
            #expect(allowed.publicKey == key)
            #expect(try await api.agentKeys().map(\.publicKey) == [key])
            try await api.revokeAgentKey(key)
            #expect(try await api.agentKeys().isEmpty)
            await #expect(throws: ClientError.self) { try await api.revokeAgentKey(key) }
            #expect(try await api.drain("a1", undo: false) == DrainState(agent: "a1", draining: true, connected: false))
            #expect(try await api.agents().isEmpty)
            #expect(try await api.coordinator().agentEndpoint == nil)
        }
    }

    @Test("an upload streams from the file; a missing file is a sentence before any request")
    func upload() async throws {
        let farm = try await TestFarmService("client")
        defer { farm.remove() }
        let clip = farm.clip
        try await farm.withClient { api in
            let size = try FileManager.default.attributesOfItem(atPath: clip)[.size] as? Int
            let created = try await api.upload(file: clip)
            #expect(created.bytes == size && !created.upload.isEmpty)
            let job = try await api.submit(JobSubmission(upload: created.upload, settings: .init()))
            #expect(job.outputName == "clip.mp4")
            await #expect(throws: ClientError.file("/nonexistent.mp4: no such file")) { try await api.upload(file: "/nonexistent.mp4") }
        }
    }

    @Test("a download replaces a file, refuses a directory in its place (keeping it whole), writes a device in place")
    func downloadPlaces() async throws {
        let router = Router()
        router.get("/v1/jobs/j1/output") { _, _ in
            Response(status: .ok, headers: [.contentType: "video/mp4"], body: .init(byteBuffer: ByteBuffer(string: "video bytes")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let dir = TestPaths.scratch("download-places")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await app.test(.live) { client in
            let api = APIClient(baseURL: URL(string: "http://127.0.0.1:\(try #require(client.port))")!, token: "t")
            let file = dir.appendingPathComponent("out.mp4")
            try Data("an older output".utf8).write(to: file)
            #expect(try await api.downloadOutput(of: "j1", to: file.path) == 11)
            #expect(try String(contentsOf: file, encoding: .utf8) == "video bytes")

            let folder = dir.appendingPathComponent("folder.mp4")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("precious".utf8).write(to: folder.appendingPathComponent("keep.txt"))
            await #expect(throws: ClientError.self) { try await api.downloadOutput(of: "j1", to: folder.path) }
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("keep.txt").path))

            #expect(try await api.downloadOutput(of: "j1", to: "/dev/null") == 11)
            #expect(OutputPlace.kind(of: "/dev/null") == .special)
            // What `fetch -o -` does with stdout redirected to a file: /dev/stdout (here /dev/fd/N)
            // is a link to a regular file, written through, never renamed onto.
            let redirected = dir.appendingPathComponent("redirected.bin")
            FileManager.default.createFile(atPath: redirected.path, contents: nil)
            let handle = try FileHandle(forWritingTo: redirected)
            defer { try? handle.close() }
            #expect(try await api.downloadOutput(of: "j1", to: "/dev/fd/\(handle.fileDescriptor)") == 11)
            #expect(try String(contentsOf: redirected, encoding: .utf8) == "video bytes")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["folder.mp4", "out.mp4", "redirected.bin"])
        }
    }

    @Test("nobody listening is `unreachable`, which is transient")
    func unreachable() async throws {
        let url = URL(string: "http://127.0.0.1:1")!
        let api = APIClient(baseURL: url, token: "t")
        await #expect(throws: ClientError.unreachable(url)) { try await api.jobs() }
    }
}

extension TestFarmService {
    /// Runs `body` with a client of the router listening on a free loopback port.
    func withClient(token: String? = nil, _ body: @Sendable (APIClient) async throws -> Void) async throws {
        let app = Application(router: APIRouter(service: service).build(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let token = token ?? adminToken
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body(APIClient(baseURL: URL(string: "http://127.0.0.1:\(port)")!, token: token))
        }
    }
}
