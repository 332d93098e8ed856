import Foundation
import Testing
import TestSupport

/// Chaos: while jobs run, agents are SIGKILLed and restarted at random and the coordinator is
/// SIGKILLed once and restarted. Every job completes, its decoded frames (pixels and times) equal
/// a fault-free run's, and no segment completed before the coordinator died is encoded again.
/// Frames, not packets: FFV1 is lossless, but its packets depend on where the segments are cut,
/// and the plan is cut for the slots of the agents connected when the job is planned.
@Suite("Service chaos", .serialized)
struct ServiceChaosTests {
    /// Lossless FFV1: bit-identical across agents (libx264 is not; see AgentFailureTests).
    static let encode = ["--codec", "ffv1", "--segment-seconds", "1"]

    @Test("agents and the coordinator killed while jobs run")
    func chaos() throws {
        let dir = TestPaths.scratch("chaos")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputs = [try ServiceOpsTests.manySegmentClip(), try Fixture.lossyClip(seconds: 30), try Fixture.h264BFramesMP4.path()]

        // The fault-free reference: the one-shot transcode, same settings, one thread per agent.
        var reference: [[FFmpegOracle.DecodedFrame]] = []
        for (n, input) in inputs.enumerated() {
            let out = dir.appendingPathComponent("reference-\(n).mkv").path
            let run = try FarmCLI.transcode(input, to: out, ["--agents", "2", "--threads", "1"] + Self.encode)
            try #require(run.output.status == 0, "\(run.output.stderr)")
            reference.append(try FFmpegOracle.frames(out))
        }

        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let names = ["chaos-1", "chaos-2", "chaos-3"]
        var agents = try names.map { try serve.startAgent(name: $0) }
        defer { for a in agents where a.isRunning { kill(a.processIdentifier, SIGKILL) } }
        var ids: [String] = []
        for input in inputs {
            let out = try serve.cli(["submit", input, "-o", dir.appendingPathComponent("x.mkv").path] + Self.encode)
            try #require(out.status == 0, "\(out.stderr)")
            ids.append(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let idList = ids.map { "'\($0)'" }.joined(separator: ",")
        func count(_ sql: String) -> Int { Int((try? serve.query(sql))?.first?.first ?? "") ?? 0 }

        var generator = SystemRandomNumberGenerator()
        var coordinatorKilled = false
        var doneBeforeKill: Set<String> = []
        var agentKills = 0
        var nextAgentKill = Date().addingTimeInterval(Double.random(in: 0.5...1.2, using: &generator))
        let deadline = Date().addingTimeInterval(420)
        while Date() < deadline {
            let unfinished = count("SELECT COUNT(*) FROM jobs WHERE id IN (\(idList)) AND state NOT IN ('done', 'failed', 'cancelled')")
            if unfinished == 0 { break }
            usleep(100_000)
            // The coordinator dies once, while a job is part done: some of its segments finished, some not.
            if !coordinatorKilled, count("SELECT COUNT(*) FROM jobs WHERE id IN (\(idList)) AND state = 'running' AND segmentsDone > 0 AND segmentsDone < segmentsTotal") > 0 {
                try serve.killAndRestart()
                coordinatorKilled = true
                doneBeforeKill = Set(try serve.query("SELECT jobId || '/' || idx FROM segments WHERE jobId IN (\(idList)) AND state = 'done'").map { $0[0] })
            }
            if Date() > nextAgentKill {
                let i = Int.random(in: 0..<agents.count, using: &generator)
                kill(agents[i].processIdentifier, SIGKILL)
                agents[i].waitUntilExit()
                agentKills += 1
                agents[i] = try serve.startAgent(name: names[i])
                nextAgentKill = Date().addingTimeInterval(Double.random(in: 0.5...1.2, using: &generator))
            }
        }
        try #require(coordinatorKilled, "no job was ever part done?")
        #expect(agentKills >= 3)
        for (n, id) in ids.enumerated() {
            let job = try serve.waitForJob(id, timeout: 120)
            try #require(job["state"] as? String == "done", "job \(n): \(job)\n\(serve.allLogs)")
            let out = dir.appendingPathComponent("chaos-\(n).mkv").path
            let fetched = try serve.cli(["fetch", id, "-o", out])
            try #require(fetched.status == 0, "\(fetched.stderr)")
            let frames = try FFmpegOracle.frames(out)
            #expect(frames == reference[n], "job \(n): \(frames.count) frames vs \(reference[n].count); first difference at \(zip(frames, reference[n]).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
        }
        // The segment records: nothing finished before the coordinator died was leased again by the new run.
        let runs = try serve.query("SELECT MAX(run) FROM attempts").first?.first.flatMap { Int($0) } ?? 0
        #expect(runs >= 2)
        #expect(!doneBeforeKill.isEmpty)
        let reRun = try serve.query("SELECT DISTINCT jobId || '/' || idx FROM attempts WHERE run >= \(runs) AND jobId IN (\(idList))").map { $0[0] }
        #expect(Set(reRun).isDisjoint(with: doneBeforeKill), "re-encoded after the restart: \(Set(reRun).intersection(doneBeforeKill).sorted())")
        let resumed = serve.allLogs.components(separatedBy: "kept finished segments").count - 1
        #expect(resumed >= 1, "the restarted coordinator kept no finished segment: \(serve.allLogs.split(separator: "\n").filter { $0.contains("resuming") || $0.contains("job queued") || $0.contains("restart") }.joined(separator: "\n"))")
    }
}
