import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// What ops do to a running farm: add an agent mid-job, drain one, and what happens to agents
/// that must not get work (another protocol version).
@Suite("Service operations", .serialized)
struct ServiceOpsTests {
    /// A clip cut into many short segments (a key frame every 10 frames).
    static func manySegmentClip() throws -> String {
        let url = TestPaths.fixtures.appendingPathComponent("many-segments-12s.mp4")
        if FileManager.default.fileExists(atPath: url.path) { return url.path }
        let partial = url.path + ".\(UUID().uuidString.prefix(6)).tmp.mp4"
        let out = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=480x270:rate=25:duration=12",
                                                "-vf", "noise=alls=10:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-g", "10",
                                                "-keyint_min", "10", "-sc_threshold", "0", partial], timeout: 120)
        try #require(out.status == 0, "\(out.stderr)")
        return try Fixture.publish(partial, at: url)
    }

    static func submit(_ serve: ServeProcess, _ input: String, preset: String = "medium", segmentSeconds: Double = 0.4) throws -> String {
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                  json: #"{"input":"\#(input)","settings":{"codec":"libx264","preset":"\#(preset)"},"segmentSeconds":\#(segmentSeconds)}"#)
        try #require(r.status == 201, "\(r.text)")
        return try #require(r.json()?["id"] as? String)
    }

    /// Seconds between two of the store's timestamps ("YYYY-MM-DD HH:MM:SS.SSS").
    static func seconds(_ a: String, _ b: String) -> Double {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        f.timeZone = TimeZone(identifier: "UTC")
        return (f.date(from: b)?.timeIntervalSince1970 ?? .nan) - (f.date(from: a)?.timeIntervalSince1970 ?? .nan)
    }

    @Test("an agent added mid-job takes work within one heartbeat")
    func lateJoin() throws {
        let dir = TestPaths.scratch("latejoin")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let first = try serve.startAgent(name: "first")
        defer { first.terminate() }
        let id = try Self.submit(serve, try Self.manySegmentClip())
        // Wait until the job runs on the first agent, then add another.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try serve.query("SELECT COUNT(*) FROM attempts WHERE jobId = '\(id)'").first?.first ?? "0") == "0" { usleep(100_000) }
        let late = try serve.startAgent(name: "late")
        defer { late.terminate() }
        let job = try serve.waitForJob(id, timeout: 240)
        #expect(job["state"] as? String == "done", "\(job)")
        let joined = try #require(try serve.query("SELECT firstSeen FROM agents WHERE name = 'late'").first?.first)
        let firstWork = try #require(try serve.query("SELECT MIN(assignedAt) FROM attempts WHERE agent = 'late'").first?.first)
        // The test coordinator's heartbeat is 250 ms.
        let delay = Self.seconds(joined, firstWork)
        #expect(delay >= 0 && delay <= 0.25, "late agent joined at \(joined), first segment at \(firstWork)")
        #expect((job["agents"] as? [String]).map(Set.init) == ["first", "late"])
    }

    @Test("a drained agent finishes its segment and takes no more")
    func drain() throws {
        let dir = TestPaths.scratch("drain")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let keep = try serve.startAgent(name: "keep")
        let drained = try serve.startAgent(name: "drained")
        defer { keep.terminate(); drained.terminate() }
        let id = try Self.submit(serve, try Self.manySegmentClip())
        // Drain once "drained" holds a segment that is not finished.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try serve.query("SELECT COUNT(*) FROM attempts WHERE agent = 'drained' AND outcome IS NULL").first?.first == "0" {
            usleep(20_000)
        }
        let r = try serve.request("POST", "/v1/agents/drained/drain", token: serve.adminToken)
        #expect(r.status == 200, "\(r.text)")
        let drainedAt = try #require(try serve.query("SELECT MAX(at) FROM events WHERE message = 'drained drained by admin'").first?.first)
        usleep(300_000)
        let agents = try serve.request("GET", "/v1/agents", token: serve.adminToken)
        #expect(agents.text.contains(#""name":"drained""#) && agents.text.contains(#""state":"draining""#), "\(agents.text)")
        let job = try serve.waitForJob(id, timeout: 240)
        #expect(job["state"] as? String == "done", "\(job)")
        let attempts = try serve.query("SELECT assignedAt, COALESCE(outcome, '-') FROM attempts WHERE agent = 'drained' ORDER BY assignedAt")
        #expect(!attempts.isEmpty)
        for a in attempts {
            // The event is stored when the request arrives; the dispatcher applies the drain at its
            // next loop turn (every 100 ms at most), so a slot it was already filling may be given.
            #expect(Self.seconds(a[0], drainedAt) >= -0.15, "drained agent got a segment at \(a[0]), after the drain at \(drainedAt)")
            #expect(a[1] == "done", "the drained agent's segment did not finish: \(attempts)")
        }
        let total = try serve.query("SELECT COUNT(*) FROM segments WHERE jobId = '\(id)'").first?.first ?? "0"
        let byKeep = try serve.query("SELECT COUNT(*) FROM segments WHERE jobId = '\(id)' AND agent = 'keep'").first?.first ?? "0"
        #expect(Int(byKeep)! == Int(total)! - attempts.count)
    }

    @Test("an agent of another protocol version is refused with a message on both sides")
    func versionMismatch() throws {
        let dir = TestPaths.scratch("svc-version")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try Subprocess.run(TestPaths.agent, ["--coordinator", serve.agentEndpoint, "--insecure", "--protocol-version", "1"], timeout: 30)
        #expect(agent.status == 2)
        #expect(agent.stderr.contains("refused by the coordinator: protocol version 1 is not supported; this coordinator speaks version \(WireProtocol.version)"), "\(agent.stderr)")
        #expect(serve.log.contains("refused an agent"), "\(serve.log)")
        usleep(300_000)  // the dispatcher publishes its counters ten times a second
        let metrics = try serve.request("GET", "/metrics")
        let refused = metrics.text.split(separator: "\n").first { $0.hasPrefix("gopfarm_refused_agents_total ") }
        #expect((refused.flatMap { Int($0.split(separator: " ").last!) } ?? 0) >= 1, "\(metrics.text)")
    }
}

/// A straggler: one agent stalls (SIGSTOP) while the other is idle, so its segment is re-run
/// speculatively; the first valid result wins, the late one is ignored.
@Suite("Service stragglers", .serialized)
struct ServiceStragglerTests {
    @Test("a stalled segment is re-run on an idle agent")
    func speculation() throws {
        let dir = TestPaths.scratch("straggler")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir, arguments: ServeProcess.insecure + ["--speculate-after", "0.6", "--speculate-factor", "1", "--agent-timeout", "10"])
        defer { serve.stop() }
        let slow = try serve.startAgent(name: "slow")
        let fast = try serve.startAgent(name: "fast")
        defer { kill(slow.processIdentifier, SIGCONT); slow.terminate(); fast.terminate() }
        let input = try ServiceOpsTests.manySegmentClip()
        // Two segments, one per agent: once "fast" is done, the job waits only on "slow".
        let id = try ServiceOpsTests.submit(serve, input, segmentSeconds: 6)
        // Stall "slow" while it holds its segment, for 6 s (this coordinator drops agents after 10 s).
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try serve.query("SELECT COUNT(*) FROM attempts WHERE agent = 'slow' AND outcome IS NULL").first?.first == "0" {
            usleep(20_000)
        }
        kill(slow.processIdentifier, SIGSTOP)
        // Until the held segment is done elsewhere (the speculative copy on "fast"), at most 60 s:
        // a fixed 6 s stall let "slow" win on a loaded machine where "fast" took longer.
        let held = try serve.query("SELECT idx FROM attempts WHERE jobId = '\(id)' AND agent = 'slow' AND outcome IS NULL").first?.first ?? "-1"
        let stallEnd = Date().addingTimeInterval(60)
        while Date() < stallEnd,
              try serve.query("SELECT COUNT(*) FROM attempts WHERE jobId = '\(id)' AND idx = \(held) AND outcome = 'done'").first?.first == "0" {
            usleep(100_000)
        }
        kill(slow.processIdentifier, SIGCONT)
        let job = try serve.waitForJob(id, timeout: 240)
        #expect(job["state"] as? String == "done", "\(job)")
        #expect(job["outputFrames"] as? Int == (try FFmpegOracle.countFrames(input)))
        let speculative = try serve.query("SELECT agent, COALESCE(outcome, '-') FROM attempts WHERE jobId = '\(id)' AND speculative = 1")
        #expect(!speculative.isEmpty, "no speculative re-run:\n\(serve.log)")
        // The segment "slow" held when it stopped was finished by "fast": as the speculative copy,
        // or, when "slow" came back first (plain TCP: a new session) and took the copy queued
        // behind its own work, as that copy moved on to "fast" when it went idle.
        let stalled = try serve.query("SELECT idx FROM attempts WHERE jobId = '\(id)' AND agent = 'slow' ORDER BY assignedAt, attempt LIMIT 1").first?.first ?? "-1"
        let winners = try serve.query("SELECT agent FROM attempts WHERE jobId = '\(id)' AND idx = \(stalled) AND outcome = 'done'")
        let attempts = try serve.query("SELECT idx, attempt, agent, speculative, COALESCE(outcome, '-') FROM attempts WHERE jobId = '\(id)'")
        #expect(winners == [["fast"]], "segment \(stalled): \(attempts)")
        #expect(try serve.request("GET", "/metrics").text.contains("gopfarm_speculative_total"))
    }
}
