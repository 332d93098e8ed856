import Foundation
import Testing
import TestSupport

/// Agents authenticate with CURVE: an allowed key gets work, a key ops did not allow and a
/// plain-TCP agent get none, and both sides say why.
@Suite("Service CURVE authentication", .serialized)
struct ServiceCurveTests {
    @Test("only allowed agent keys get work")
    func allowList() throws {
        let dir = TestPaths.scratch("curve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir, arguments: [])
        defer { serve.stop() }
        let coordinatorKey = try #require(serve.publicKey, "serve did not announce its public key:\n\(serve.log)")
        let shown = try Subprocess.run(TestPaths.gopfarm, ["keys", "show", "--data-dir", serve.dataDirectory.path], timeout: 30)
        #expect(shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == coordinatorKey)

        func makeKey(_ name: String) throws -> (String, String) {
            let file = dir.appendingPathComponent("\(name).key").path
            let out = try Subprocess.run(TestPaths.agent, ["keys", "init", "--key-file", file], timeout: 30)
            try #require(out.status == 0, "\(out.stderr)")
            return (out.stdout.trimmingCharacters(in: .whitespacesAndNewlines), file)
        }
        let (goodKey, goodFile) = try makeKey("good")
        let (badKey, badFile) = try makeKey("bad")
        let allowed = try serve.cli(["agents", "allow", goodKey, "--name", "good"])
        try #require(allowed.status == 0, "\(allowed.stderr)")

        let good = try serve.startAgent(name: "good", extra: ["--coordinator-key", coordinatorKey, "--key-file", goodFile])
        let bad = try serve.startAgent(name: "bad", extra: ["--coordinator-key", coordinatorKey, "--key-file", badFile])
        let plain = try serve.startAgent(name: "plain", extra: ["--insecure"])
        defer { for a in [good, bad, plain] { a.terminate() } }
        let input = try ServiceOpsTests.manySegmentClip()
        let id = try ServiceOpsTests.submit(serve, input, preset: "ultrafast")
        let job: [String: Any]
        do { job = try serve.waitForJob(id, timeout: 240) } catch {
            // Once (of many runs) the job waited here the whole time: keep what both sides said.
            let agentLogs = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("agent-") }
                .map { "== \($0)\n" + ((try? String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8)) ?? "") }.joined(separator: "\n")
            Issue.record("\(error)\n\(serve.allLogs)\n\(agentLogs)")
            return
        }
        #expect(job["state"] as? String == "done", "\(job)")
        #expect(job["agents"] as? [String] == ["good"])
        #expect(try serve.query("SELECT DISTINCT agent FROM attempts").map { $0[0] } == ["good"])
        #expect(try serve.query("SELECT publicKey FROM agents WHERE name = 'good'").first?.first == goodKey)
        #expect(try serve.query("SELECT COUNT(*) FROM agents WHERE name IN ('bad', 'plain')").first?.first == "0")
        #expect(serve.log.contains("refused an agent whose key is not allowed") && serve.log.contains(badKey), "\(serve.log)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("agent-") }
        let badLog = try logs.filter { $0.hasPrefix("agent-bad-") }.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        #expect(badLog.contains("the coordinator refused this agent's key \(badKey)"), "\(badLog)")
        #expect(bad.isRunning, "a refused agent keeps trying (ops may allow it later)")
        // A plain-TCP agent fails the handshake (libzmq refuses the mechanism before ZAP) and says so.
        let plainLog = try logs.filter { $0.hasPrefix("agent-plain-") }.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined()
        #expect(plainLog.contains("it probably requires CURVE"), "\(plainLog)")
        let agents = try serve.request("GET", "/v1/agents", token: serve.adminToken).text
        #expect(agents.contains(goodKey.replacingOccurrences(of: "/", with: "\\/")) || agents.contains(goodKey), "\(agents)")
    }
}
