import Foundation
import Testing
import TestSupport

/// The HTTP API of a real `gopfarm serve`: authentication, roles, and bad input of every kind
/// gets a 4xx with one sentence while the server keeps serving.
@Suite("Service HTTP API", .serialized)
struct ServiceHTTPTests {
    @Test("tokens, roles and bad requests")
    func securityAndBadInput() throws {
        let dir = TestPaths.scratch("http")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = dir.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let clip = inputs.appendingPathComponent("clip.mp4").path
        try FileManager.default.copyItem(atPath: try Fixture.h264BFramesMP4.path(), toPath: clip)
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--max-upload", "4K"], inputRoot: inputs.path)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "http-agent")
        defer { agent.terminate() }

        // No token, a wrong token: 401 with a sentence.
        for token in [nil, "gf_not-a-real-token"] as [String?] {
            let r = try serve.request("GET", "/v1/jobs", token: token)
            #expect(r.status == 401 && r.error == "missing or unknown bearer token", "\(r.status) \(r.text)")
        }
        #expect(try serve.request("GET", "/healthz").status == 200)

        // Two producers.
        func token(_ name: String, _ role: String) throws -> String {
            let r = try serve.request("POST", "/v1/tokens", token: serve.adminToken, json: #"{"name":"\#(name)","role":"\#(role)"}"#)
            try #require(r.status == 201, "\(r.text)")
            return try #require(r.json()?["token"] as? String)
        }
        let alice = try token("alice", "producer"), bob = try token("bob", "producer")
        #expect(try serve.request("POST", "/v1/tokens", token: alice, json: #"{"name":"eve","role":"admin"}"#).status == 403)
        #expect(try serve.request("GET", "/v1/agents", token: alice).status == 403)

        let ok = try serve.request("POST", "/v1/jobs", token: alice, json: #"{"input":"\#(clip)","settings":{"codec":"libx264","preset":"ultrafast"},"segmentSeconds":1}"#)
        try #require(ok.status == 201, "\(ok.text)")
        let id = try #require(ok.json()?["id"] as? String)
        // Bob cannot see, cancel or download Alice's job; he does not even learn it exists.
        for (method, path) in [("GET", "/v1/jobs/\(id)"), ("DELETE", "/v1/jobs/\(id)"), ("GET", "/v1/jobs/\(id)/output"), ("GET", "/v1/jobs/\(id)/events")] {
            let r = try serve.request(method, path, token: bob)
            #expect(r.status == 404 && r.error == "no job \(id)", "\(method) \(path): \(r.status) \(r.text)")
        }
        let bobsList = try serve.request("GET", "/v1/jobs", token: bob)
        #expect(bobsList.status == 200 && bobsList.text.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")

        // Bad requests: each a 4xx with a clear sentence.
        let bad: [(String, Int, String)] = [
            ("{not json", 400, "the request body is not a JSON object"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"colour":"red"}"#, 400, "unknown field 'colour' in the request"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":23,"turbo":true}}"#, 400, "unknown field 'turbo' in settings"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":"high"}}"#, 400, "field 'settings.crf' has the wrong type"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264","crf":1e9}}"#, 422, "crf for libx264 must be between 0 and 51, not 1000000000"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"segmentSeconds":-5}"#, 422, "segment length must be between 0.04 and 3600 seconds, not -5"),
            (#"{"input":"\#(clip)","settings":{"codec":"libxvid"}}"#, 422, "unsupported codec 'libxvid'"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"outputName":"../../etc/passwd.mp4"}"#, 422, "the output name must be a plain file name such as movie.mp4"),
            (#"{"input":"\#(clip)","settings":{"codec":"libx264"},"priority":"urgent"}"#, 400, "field 'priority' has an invalid value"),
            (#"{"input":"/etc/passwd","settings":{"codec":"libx264"}}"#, 403, "is outside the coordinator's input roots"),
            (#"{"input":"\#(inputs.path)/../inputs/clip.mp4","settings":{"codec":"libx264"}}"#, 400, "input paths may not contain '..'"),
            (#"{"input":"clip.mp4","settings":{"codec":"libx264"}}"#, 400, "input must be an absolute path"),
            (#"{"input":"\#(inputs.path)/missing.mp4","settings":{"codec":"libx264"}}"#, 422, "does not exist on the coordinator"),
            (#"{"settings":{"codec":"libx264"}}"#, 400, "give exactly one of 'input'"),
            (#"{"input":"\#(clip)"}"#, 400, "'settings' must be an object"),
        ]
        for (body, status, message) in bad {
            let r = try serve.request("POST", "/v1/jobs", token: alice, json: body)
            #expect(r.status == status && (r.error ?? "").contains(message), "\(body) → \(r.status) \(r.text)")
        }
        // An upload over the limit, an unknown route, an unknown job.
        let big = try serve.request("POST", "/v1/uploads", token: alice, body: Data(count: 16 << 10),
                                    headers: ["Content-Type": "application/octet-stream", "X-Filename": "big.mp4"])
        #expect(big.status == 413 && (big.error ?? "").contains("over the limit"), "\(big.status) \(big.text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: serve.dataDirectory.appendingPathComponent("uploads").path).isEmpty)
        #expect(try serve.request("GET", "/v1/nothing", token: alice).status == 404)
        #expect(try serve.request("GET", "/v1/jobs/zzz", token: alice).status == 404)

        // A small upload works and can be submitted by its owner only.
        let upload = try serve.request("POST", "/v1/uploads", token: bob, body: try Data(contentsOf: URL(fileURLWithPath: try Fixture.vfrMP4.path())).prefix(4000),
                                       headers: ["Content-Type": "application/octet-stream", "X-Filename": "part.mp4"])
        #expect(upload.status == 201, "\(upload.text)")
        if let uid = upload.json()?["upload"] as? String {
            #expect(try serve.request("POST", "/v1/jobs", token: alice, json: #"{"upload":"\#(uid)","settings":{"codec":"libx264"}}"#).status == 404)
        }

        // Still serving: Alice's job completes and downloads.
        let job = try serve.waitForJob(id, timeout: 120)
        #expect(job["state"] as? String == "done", "\(job)")
        let output = try serve.request("GET", "/v1/jobs/\(id)/output", token: alice)
        #expect(output.status == 200 && output.body.count == (job["outputBytes"] as? Int ?? -1))
        let metrics = try serve.request("GET", "/metrics")
        #expect(metrics.text.contains("gopfarm_jobs{state=\"done\"} 1"), "\(metrics.text)")
    }
}
