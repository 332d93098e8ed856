import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// Webhooks end to end: a real `gopfarm serve` with one real agent runs a small job, and a real
/// HTTP receiver (Python's http.server, which checks every signature itself with Python's
/// `hmac`) gets the job's whole life; it answers the first two `job.done` deliveries with 500,
/// and the third arrives. The delivery log (`gopfarm webhooks deliveries`) shows all three.
/// The job is submitted with `--use-preset` (a farm preset, one field given on top).
@Suite("Webhook delivery", .serialized)
struct WebhookDeliveryTests {
    /// Records each POST as one JSON line: path, event, delivery id, whether the signature
    /// verified (HMAC-SHA256 of "t.body" under SECRET, t within 5 minutes), the body; answers
    /// 500 to the first FAIL_DONE `job.done` deliveries to /alice and 200 to everything else.
    static let receiver = #"""
        import hashlib, hmac, json, os, sys, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        secret, log, fail_done = os.environ["SECRET"].encode(), os.environ["LOG"], int(os.environ["FAIL_DONE"])
        done_seen = 0
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                global done_seen
                body = self.rfile.read(int(self.headers["Content-Length"]))
                sig = dict(p.split("=", 1) for p in self.headers.get("X-Gopfarm-Signature", "").split(",") if "=" in p)
                t = sig.get("t", "0")
                want = hmac.new(secret, t.encode() + b"." + body, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(want, sig.get("v1", "")) and abs(time.time() - int(t)) < 300
                event = self.headers.get("X-Gopfarm-Event")
                status = 200
                if event == "job.done" and self.path == "/alice":
                    done_seen += 1
                    if done_seen <= fail_done: status = 500
                with open(log, "a") as f:
                    f.write(json.dumps({"path": self.path, "event": event, "delivery": self.headers.get("X-Gopfarm-Delivery"),
                                        "verified": ok, "signed": "X-Gopfarm-Signature" in self.headers, "status": status, "at": time.time(), "body": json.loads(body)}) + "\n")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args): pass
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    struct Received: Decodable {
        struct Body: Decodable {
            struct Job: Decodable { var id: String; var state: String; var owner: String; var output: String?; var frames: Int? }
            struct Agent: Decodable { var name: String }
            var id: String
            var event: String
            var job: Job?
            var agent: Agent?
        }
        var path: String
        var event: String
        var delivery: String
        var verified: Bool
        var signed: Bool
        var status: Int
        var at: Double
        var body: Body
    }

    struct Delivery: Decodable {
        struct Attempt: Decodable { var attempt: Int; var status: Int? }
        var id: String
        var event: String
        var job: String?
        var state: String
        var attempts: [Attempt]
    }

    static func received(_ log: URL) -> [Received] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Received.self, from: Data($0.utf8)) }
    }

    @Test("a job's webhooks arrive signed; a delivery answered 500 twice arrives the third time; the log shows all three")
    func jobLife() throws {
        let dir = TestPaths.scratch("webhooks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = "whsec_test-0123456789abcdef"
        let log = dir.appendingPathComponent("received.jsonl")
        let script = dir.appendingPathComponent("receiver.py")
        try Data(Self.receiver.utf8).write(to: script)
        let receiverLog = dir.appendingPathComponent("receiver.out")
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        receiver.arguments = ["python3", script.path]
        receiver.environment = ProcessInfo.processInfo.environment.merging(["SECRET": secret, "LOG": log.path, "FAIL_DONE": "2"]) { $1 }
        FileManager.default.createFile(atPath: receiverLog.path, contents: nil)
        receiver.standardOutput = try FileHandle(forWritingTo: receiverLog)
        receiver.standardError = receiver.standardOutput
        try receiver.runWithSignalsDelivered()
        // SIGKILL: the test process blocks SIGTERM, and a child inherits that mask, so Python
        // would never see a terminate() (receivers outlived their tests).
        defer { kill(receiver.processIdentifier, SIGKILL); receiver.waitUntilExit() }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            port = ((try? String(contentsOf: receiverLog, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if port.isEmpty { usleep(50_000) }
        }
        try #require(Int(port) != nil, "the receiver did not start: \(port)")
        let url = "http://127.0.0.1:\(port)"

        // Retries 0.2 s, 0.4 s, … apart instead of 1 s, 2 s, …
        let serve = try ServeProcess(directory: dir, arguments: ServeProcess.insecure + ["--webhook-retry-ms", "200", "--webhook-allow-private"])
        defer { serve.stop() }
        let token = try serve.cli(["token", "create", "--role", "producer", "--name", "alice"])
        try #require(token.status == 0, "\(token.stderr)")
        let alice = token.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let added = try serve.cli(["webhooks", "add", url + "/alice", "--secret", secret,
                                   "--events", "job.queued,job.started,job.done,job.failed"], token: alice)
        try #require(added.status == 0, "\(added.stderr)")
        let hook = try #require(added.stdout.split(separator: " ").first.map(String.init))
        // Ops hear of agents leaving.
        let farm = try serve.cli(["webhooks", "add", url + "/ops", "--secret", secret, "--farm", "--events", "agent.lost"],
                                 token: serve.adminToken)
        try #require(farm.status == 0, "\(farm.stderr)")
        // A producer cannot.
        let refused = try serve.cli(["webhooks", "add", url + "/x", "--farm"], token: alice)
        #expect(refused.status != 0 && refused.stderr.contains("ops"), "\(refused.stderr)")

        let ping = try serve.cli(["webhooks", "test", hook], token: alice)
        #expect(ping.status == 0 && ping.stdout.contains("HTTP 200"), "\(ping.stdout)\(ping.stderr)")

        let agent = try serve.startAgent(name: "hooked")
        defer { agent.terminate() }
        // The job's settings come from a farm preset (ops), with one field given on top.
        let preset = try serve.cli(["presets", "add", "tiny", "--codec", "libx264", "--preset", "ultrafast", "--crf", "30", "--farm"],
                                   token: serve.adminToken)
        try #require(preset.status == 0, "\(preset.stderr)")
        // `--preset NAME` names it too (tiny is no x264 preset, and the coordinator has it); a
        // name that is neither gets the encoder's refusal, as the API and transcode give it.
        let named = try serve.cli(["submit", try Fixture.h264BFramesMP4.path(), "-o", "out.mp4", "--preset", "tiny", "--dry-run"], token: alice)
        let dry = try JSONSerialization.jsonObject(with: Data(named.stdout.utf8)) as? [String: Any]
        #expect(named.status == 0 && dry?["preset"] as? String == "tiny" && (dry?["settings"] as? [String: Any])?["preset"] == nil,
                "\(named.stdout)\(named.stderr)")
        let unknown = try serve.cli(["submit", try Fixture.h264BFramesMP4.path(), "-o", "out.mp4", "--preset", "web-720p"], token: alice)
        #expect(unknown.status == 64 && unknown.stderr.hasPrefix("gopfarm: error: preset 'web-720p' is not a libx264 preset; use one of ultrafast"),
                "\(unknown.stderr)")
        let submitted = try serve.cli(["submit", try Fixture.h264BFramesMP4.path(), "-o", dir.appendingPathComponent("out.mp4").path,
                                       "--use-preset", "tiny", "--crf", "24", "--segment-seconds", "1",
                                       "--webhook", url + "/job"], token: alice)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let stored = try serve.query("SELECT json_extract(submission, '$.preset'), json_extract(submission, '$.settings.preset'), "
                                     + "json_extract(submission, '$.settings.crf') FROM jobs WHERE id = '\(id)'")
        #expect(stored.first == ["tiny", "ultrafast", "24.0"] || stored.first == ["tiny", "ultrafast", "24"], "\(stored)")
        let job = try serve.waitForJob(id, timeout: 120)
        try #require(job["state"] as? String == "done", "\(job)")
        #expect(job["preset"] as? String == "tiny", "\(job)")
        let status = try serve.cli(["status", id], token: alice)
        #expect(status.stdout.contains("  preset:    tiny\n"), "\(status.stdout)")

        // The third job.done try comes 0.2 + 0.4 s after the first.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !Self.received(log).contains(where: { $0.path == "/alice" && $0.event == "job.done" && $0.status == 200 }) { usleep(100_000) }
        let jobHooks = Self.received(log).filter { $0.path == "/alice" }
        #expect(jobHooks.allSatisfy { $0.verified }, "\(jobHooks)")
        #expect(jobHooks.map(\.event) == ["ping", "job.queued", "job.started", "job.done", "job.done", "job.done"], "\(jobHooks.map(\.event))")
        #expect(jobHooks.map(\.status) == [200, 200, 200, 500, 500, 200])
        for r in jobHooks where r.event != "ping" {
            #expect(r.body.job?.id == id && r.body.job?.owner == "alice" && r.body.event == r.event && r.body.id == r.delivery)
        }
        #expect(jobHooks.first { $0.event == "job.started" }?.body.job?.state == "running")
        // The job's own webhook (given without a secret: unsigned) hears its whole life too.
        let own = Self.received(log).filter { $0.path == "/job" }
        #expect(own.map(\.event) == ["job.queued", "job.started", "job.done"] && own.allSatisfy { !$0.signed && $0.body.job?.id == id },
                "\(own)")
        let done = jobHooks.filter { $0.event == "job.done" }
        #expect(Set(done.map(\.delivery)).count == 1, "a retry is the same delivery")
        #expect(done.last?.body.job?.output == "/v1/jobs/\(id)/output" && (done.last?.body.job?.frames ?? 0) > 0)
        if done.count == 3 {
            // Back-off: at least 0.2 s, then 0.4 s between tries.
            #expect(done[1].at - done[0].at >= 0.19 && done[2].at - done[1].at >= 0.39, "\(done.map(\.at))")
        }

        // The delivery log: all three tries of job.done.
        let logged = try serve.cli(["webhooks", "deliveries", hook, "--json"], token: alice)
        try #require(logged.status == 0, "\(logged.stderr)")
        let deliveries = try JSONDecoder().decode([Delivery].self, from: Data(logged.stdout.utf8))
        let doneLog = try #require(deliveries.first { $0.event == "job.done" })
        #expect(doneLog.state == "delivered" && doneLog.job == id)
        #expect(doneLog.attempts.map(\.status) == [500, 500, 200] && doneLog.attempts.map(\.attempt) == [1, 2, 3])
        #expect(Set(deliveries.map(\.event)) == ["ping", "job.queued", "job.started", "job.done"])
        let table = try serve.cli(["webhooks", "deliveries", hook], token: alice)
        #expect(table.stdout.components(separatedBy: "HTTP 500").count == 3, "\(table.stdout)")

        // The agent dies (no goodbye): once its heartbeats stop, the farm-wide webhook hears of it.
        kill(agent.processIdentifier, SIGKILL)
        let lostBy = Date().addingTimeInterval(15)
        while Date() < lostBy, !Self.received(log).contains(where: { $0.path == "/ops" }) { usleep(100_000) }
        let lost = Self.received(log).filter { $0.path == "/ops" }
        #expect(lost.first?.event == "agent.lost" && lost.first?.body.agent?.name == "hooked" && lost.first?.verified == true, "\(lost)")
        print("webhook log:\n\(table.stdout)")

        // The rest of the CLI: list and remove webhooks, list presets, choose a default.
        let listed = try serve.cli(["webhooks", "list"], token: alice)
        #expect(listed.status == 0 && listed.stdout.contains(hook) && listed.stdout.contains("job \(id)") && !listed.stdout.contains(secret),
                "\(listed.stdout)")
        let removed = try serve.cli(["webhooks", "remove", hook], token: alice)
        let after = try serve.cli(["webhooks", "list"], token: alice)
        #expect(removed.status == 0 && !after.stdout.contains(hook), "\(removed.stderr)\(after.stdout)")
        let chosen = try serve.cli(["presets", "default", "tiny"], token: alice)
        #expect(chosen.status == 0, "\(chosen.stderr)")
        let presets = try serve.cli(["presets", "list"], token: alice)
        #expect(presets.stdout.contains("tiny") && presets.stdout.contains("farm") && presets.stdout.contains("yes")
                && presets.stdout.contains("libx264, crf 30, preset ultrafast"), "\(presets.stdout)")
    }
}
