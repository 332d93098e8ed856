import Foundation
import GopfarmAPI
import GopfarmCommon
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceTestSupport
import Testing
import TestSupport

/// The HTTP API in process: the router `gopfarm serve` builds, over a real store in a temporary
/// directory, driven by HummingbirdTesting (no process, no port, no agents; submitted jobs just
/// wait). Authentication, roles, strict JSON, paths and limits: each a 4xx with one sentence.
/// What needs agents (a job that runs, its output) stays in IntegrationTests/ServiceHTTPTests.
@Suite("API router in process")
struct APIRouterTests {
    /// A farm service on a fresh data directory, with an input directory holding one clip and
    /// an admin, two producers and an ops token.
    /// The farm, an admin, two producers and an ops token.
    struct Harness {
        let farm: TestFarmService
        var service: FarmService { farm.service }
        var clip: String { farm.clip }
        var inputs: URL { farm.inputs }
        var admin: String { farm.adminToken }
        let alice: String, bob: String, ops: String

        init(maxUpload: Int64 = 4 << 10) async throws {
            farm = try await TestFarmService("router", maxUploadBytes: maxUpload)
            alice = try await farm.service.store.createToken(name: "alice", role: .producer)
            bob = try await farm.service.store.createToken(name: "bob", role: .producer)
            ops = try await farm.service.store.createToken(name: "olga", role: .ops)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = Application(router: APIRouter(service: service).build())
            try await app.test(.router) { client in try await body(client) }
        }

        func remove() { farm.remove() }
    }

    struct Answer {
        var status: Int
        var text: String
        var error: String? { (try? JSONDecoder().decode(APIErrorBody.self, from: Data(text.utf8)))?.error }
        func json() -> [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] }
    }

    static func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
                     json: String? = nil, body: Data? = nil, headers extra: [HTTPField.Name: String] = [:]) async throws -> Answer {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        for (k, v) in extra { headers[k] = v }
        let bytes = json.map { ByteBuffer(string: $0) } ?? body.map { ByteBuffer(bytes: $0) }
        let r = try await client.execute(uri: path, method: method, headers: headers, body: bytes)
        return Answer(status: Int(r.status.code), text: String(buffer: r.body))
    }

    /// The list held the newest 1000 jobs whatever their state: a job queued before 1000 newer
    /// finished ones was in no list, and nothing older could be reached.
    @Test("jobs list by state, a page at a time, older than a given job")
    func jobPages() async throws {
        let h = try await Harness()
        defer { h.remove() }
        for (i, state) in [JobView.State.queued, .done, .failed, .done, .cancelled].enumerated() {
            try await h.service.store.insert(JobRow(
                id: "a\(i + 1)", seq: 0, owner: "alice", priority: .normal, state: state, input: "/in.mp4", outputName: "out.mp4", outputPath: nil,
                submission: JobStore.json(JobSubmission(input: "/in.mp4", settings: EncodeSettings())), submittedAt: Date(), startedAt: nil,
                finishedAt: nil, error: nil, warnings: "[]", segmentsTotal: 0, framesTotal: 0, segmentsDone: 0, framesDone: 0,
                outputFrames: nil, outputBytes: nil))
        }
        try await h.test { client in
            func ids(_ query: String, _ token: String) async throws -> [String] {
                let r = try await Self.send(client, .get, "/v1/jobs" + query, token: token)
                try #require(r.status == 200, "\(query): \(r.text)")
                let list = (try? JSONSerialization.jsonObject(with: Data(r.text.utf8))) as? [[String: Any]] ?? []
                return list.compactMap { $0["id"] as? String }
            }
            #expect(try await ids("", h.alice) == ["a5", "a4", "a3", "a2", "a1"])
            #expect(try await ids("?state=active", h.alice) == ["a1"])
            #expect(try await ids("?state=finished&limit=2", h.alice) == ["a5", "a4"])
            #expect(try await ids("?limit=2&before=a4", h.alice) == ["a3", "a2"])
            #expect(try await ids("?state=finished&before=a2", h.ops) == [])
            let hidden = try await Self.send(client, .get, "/v1/jobs?before=a4", token: h.bob)
            #expect(hidden.status == 404 && hidden.error == "no job a4", "\(hidden.text)")
            for (query, error) in [("?state=old", "state takes all, active or finished, not 'old'"), ("?limit=0", "limit takes 1 to 1000 jobs, not 0"),
                                   ("?limit=many", "limit takes a number of jobs, 1 to 1000")] {
                let r = try await Self.send(client, .get, "/v1/jobs" + query, token: h.alice)
                #expect(r.status == 400 && r.error == error, "\(query): \(r.text)")
            }
        }
    }

    @Test("no token or an unknown one is a 401; health and metrics need none")
    func authentication() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            for token in [nil, "gf_not-a-real-token", String(repeating: "x", count: 5000)] as [String?] {
                let r = try await Self.send(client, .get, "/v1/jobs", token: token)
                #expect(r.status == 401 && r.error == "missing or unknown bearer token", "\(r.status) \(r.text)")
            }
            #expect(try await Self.send(client, .get, "/healthz").status == 200)
            #expect(try await Self.send(client, .get, "/metrics").status == 200)
            // The scheme is case-insensitive.
            for scheme in ["bearer", "BEARER"] {
                let r = try await Self.send(client, .get, "/v1/jobs", headers: [.authorization: "\(scheme) \(h.alice)"])
                #expect(r.status == 200, "\(scheme): \(r.status) \(r.text)")
            }
        }
    }

    @Test("roles: producers submit and see their own jobs; ops manage agents; admins manage tokens")
    func roles() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            #expect(try await Self.send(client, .post, "/v1/tokens", token: h.alice, json: #"{"name":"eve","role":"admin"}"#).status == 403)
            #expect(try await Self.send(client, .post, "/v1/tokens", token: h.ops, json: #"{"name":"eve","role":"producer"}"#).status == 403)
            #expect(try await Self.send(client, .get, "/v1/agents", token: h.alice).status == 403)
            #expect(try await Self.send(client, .get, "/v1/agents", token: h.ops).status == 200)
            #expect(try await Self.send(client, .get, "/v1/agent-keys", token: h.alice).status == 403)
            let created = try await Self.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"carol","role":"producer"}"#)
            #expect(created.status == 201 && (created.json()?["token"] as? String)?.isEmpty == false, "\(created.text)")
            let badName = try await Self.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"no spaces","role":"producer"}"#)
            #expect(badName.status == 422 && badName.error == "token names have 1 to 100 letters, digits or -_.@", "\(badName.text)")

            let ok = try await Self.send(client, .post, "/v1/jobs", token: h.alice,
                                         json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264","preset":"ultrafast"},"segmentSeconds":1}"#)
            try #require(ok.status == 201, "\(ok.text)")
            let id = try #require(ok.json()?["id"] as? String)
            // Bob cannot see, cancel or download Alice's job; he does not even learn it exists.
            for (method, path) in [(HTTPRequest.Method.get, "/v1/jobs/\(id)"), (.delete, "/v1/jobs/\(id)"), (.get, "/v1/jobs/\(id)/output"),
                                   (.get, "/v1/jobs/\(id)/events"), (.get, "/v1/jobs/\(id)/report")] {
                let r = try await Self.send(client, method, path, token: h.bob)
                #expect(r.status == 404 && r.error == "no job \(id)", "\(method) \(path): \(r.status) \(r.text)")
            }
            let bobs = try await Self.send(client, .get, "/v1/jobs", token: h.bob)
            #expect(bobs.status == 200 && bobs.text.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
            let all = try await Self.send(client, .get, "/v1/jobs", token: h.ops)
            #expect(all.text.contains(id))
            // Its output does not exist yet; Alice may cancel it.
            #expect(try await Self.send(client, .get, "/v1/jobs/\(id)/output", token: h.alice).status == 409)
            #expect(try await Self.send(client, .head, "/v1/jobs/\(id)/output", token: h.alice).status == 409, "HEAD answers as GET does")
            #expect(try await Self.send(client, .head, "/v1/jobs/\(id)/output", token: h.bob).status == 404)
            let cancelled = try await Self.send(client, .delete, "/v1/jobs/\(id)", token: h.alice)
            #expect(cancelled.status == 200 && cancelled.json()?["state"] as? String == "cancelled", "\(cancelled.text)")
            // Now it never will: the sentence says so rather than "once it is done".
            let none = try await Self.send(client, .get, "/v1/jobs/\(id)/output", token: h.alice)
            #expect(none.status == 409 && none.error == "job \(id) was cancelled; it has no output", "\(none.text)")
        }
    }

    @Test("bad job requests: each a 4xx with one sentence")
    func badSubmissions() async throws {
        let h = try await Harness()
        defer { h.remove() }
        let clip = h.clip, inputs = h.inputs.path
        let bad: [(String, Int, String)] = [
            ("{not json", 400, "the request body is not a JSON object"),
            ("[]", 400, "the request body is not a JSON object"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"colour":"red"}"#, 400, "unknown field 'colour' in the request"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":23,"turbo":true}}"#, 400, "unknown field 'turbo' in settings"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":"high"}}"#, 400, "field 'settings.crf' has the wrong type"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":1e9}}"#, 422, "crf for libx264 must be between 0 and 51, not 1000000000"),
            // Valid JSON, a number no integer field holds: not "not valid JSON".
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","bitrate":1e300}}"#, 400, "a number in the request does not fit its field"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"segmentSeconds":-5}"#, 422, "segment length must be between 0.04 and 3600 seconds, not -5"),
            (#"{"input":"\#(clip)","settings":{"codec":"libxvid"}}"#, 422, "unsupported codec 'libxvid'"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"outputName":"../../etc/passwd.mp4"}"#, 422, "the output name must be a plain file name"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"priority":"urgent"}"#, 400, "field 'priority' has an invalid value"),
            (#"{"input":"/etc/passwd","settings":{"codec":"libx264"}}"#, 403, "is outside the coordinator's input roots"),
            (#"{"input":"\#(inputs)/../inputs/clip.mp4","settings":{"codec":"libx264"}}"#, 400, "input paths may not contain '..'"),
            (#"{"input":"clip.mp4","settings":{"codec":"libx264"}}"#, 400, "input must be an absolute path"),
            (#"{"input":"\#(inputs)/missing.mp4","settings":{"codec":"libx264"}}"#, 422, "does not exist on the coordinator"),
            (#"{"settings":{"codec":"libx264"}}"#, 400, "give exactly one of 'input'"),
            (#"{"input":"\#(clip)"}"#, 400, "'settings' must be an object"),
            (#"{"input":"\#(clip)","upload":"abc","settings":{"codec":"libx264"}}"#, 400, "give exactly one of 'input'"),
        ]
        try await h.test { client in
            for (body, status, message) in bad {
                let r = try await Self.send(client, .post, "/v1/jobs", token: h.alice, json: body)
                #expect(r.status == status && (r.error ?? "").contains(message), "\(body) → \(r.status) \(r.text)")
            }
            // A body over the API's limit for JSON.
            let huge = #"{"input":"\#(clip)","settings":{"codec":"\#(String(repeating: "y", count: 1 << 20))"}}"#
            #expect(try await Self.send(client, .post, "/v1/jobs", token: h.alice, json: huge).status == 413)
        }
    }

    @Test("uploads: over the limit is a 413 and leaves nothing; an upload is its owner's only")
    func uploads() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            let headers: [HTTPField.Name: String] = [.contentType: "application/octet-stream", HTTPField.Name("X-Filename")!: "big.mp4"]
            let big = try await Self.send(client, .post, "/v1/uploads", token: h.alice, body: Data(count: 16 << 10), headers: headers)
            #expect(big.status == 413 && (big.error ?? "").contains("over the limit"), "\(big.status) \(big.text)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: h.service.config.uploads.path).isEmpty)
            let empty = try await Self.send(client, .post, "/v1/uploads", token: h.alice, body: Data(), headers: headers)
            #expect(empty.status == 400, "\(empty.text)")

            let small = try await Self.send(client, .post, "/v1/uploads", token: h.bob, body: Data(repeating: 7, count: 3000), headers: headers)
            #expect(small.status == 201, "\(small.text)")
            let uid = try #require(small.json()?["upload"] as? String)
            let alices = try await Self.send(client, .post, "/v1/jobs", token: h.alice, json: #"{"upload":"\#(uid)","settings":{"codec":"libx264"}}"#)
            #expect(alices.status == 404, "\(alices.text)")
            // Bob's job shows his file by the name he uploaded, not where the coordinator keeps it.
            let bobs = try await Self.send(client, .post, "/v1/jobs", token: h.bob, json: #"{"upload":"\#(uid)","settings":{"codec":"libx264"}}"#)
            let id = try #require(bobs.json()?["id"] as? String, "\(bobs.text)")
            let view = try await Self.send(client, .get, "/v1/jobs/\(id)", token: h.bob)
            #expect(view.json()?["input"] as? String == "big.mp4", "\(view.text)")
            #expect(!view.text.contains(h.service.config.dataDirectory.path), "\(view.text)")
        }
    }

    @Test("unknown routes, methods and jobs; agent keys with every odd character")
    func routesAndPaths() async throws {
        let h = try await Harness()
        defer { h.remove() }
        try await h.test { client in
            #expect(try await Self.send(client, .get, "/v1/nothing", token: h.alice).status == 404)
            #expect(try await Self.send(client, .get, "/v1/jobs/zzz", token: h.alice).status == 404)
            let put = try await Self.send(client, .put, "/v1/jobs", token: h.alice)
            #expect(put.status == 405, "\(put.status) \(put.text)")  // a known path with another method (ErrorBodyTests has more)
            #expect(try await Self.send(client, .get, "/v1/jobs/..%2F..%2Fetc%2Fpasswd/output", token: h.alice).status == 404)
            // A key that is not a CURVE key; one that is, with the characters Z85 uses in paths.
            let notKey = try await Self.send(client, .post, "/v1/agent-keys", token: h.ops, json: #"{"publicKey":"short"}"#)
            #expect(notKey.status == 422 && (notKey.error ?? "").contains("is not a CURVE public key"), "\(notKey.text)")
            let key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
            let allowed = try await Self.send(client, .post, "/v1/agent-keys", token: h.ops, json: #"{"publicKey":"\#(key)","name":"a1"}"#)
            #expect(allowed.status == 201, "\(allowed.text)")
            let escaped = key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? key
            #expect(try await Self.send(client, .delete, "/v1/agent-keys/\(escaped)", token: h.ops).status == 200)
            #expect(try await Self.send(client, .delete, "/v1/agent-keys/\(escaped)", token: h.ops).status == 404)
            let coordinator = try await Self.send(client, .get, "/v1/coordinator", token: h.bob)
            #expect(coordinator.status == 200 && coordinator.json()?["version"] is String, "\(coordinator.text)")
        }
    }
}
