import Foundation
import Testing
import TestSupport

/// A coordinator that dies while agents encode loses none of their work: an agent finishes its
/// segment while the coordinator is down, and the restarted coordinator takes that result.
@Suite("Coordinator restart", .serialized)
struct CoordinatorRestartTests {
    @Test("a segment finished while the coordinator was down is taken")
    func resultFromTheDowntimeIsKept() throws {
        let dir = TestPaths.scratch("restart-keeps")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "only")
        defer { agent.terminate() }
        func agentLog() -> String { serve.agentLog("only") }
        // Log lines end with their sorted fields: `… segment done bytes=… segment=1`.
        func lines(_ event: String, segment: Int) -> Int {
            agentLog().split(separator: "\n").filter { $0.contains(event) && $0.hasSuffix(" segment=\(segment)") }.count
        }
        // 4 segments of 2 s of noise at x264 slow on one thread: seconds each.
        let clip = try Fixture.lossyClip(seconds: 8)
        let submitted = Date()
        let id = try serve.submit(clip, output: "out.mkv",
                                  ["--codec", "libx264", "--preset", "slow", "--segment-seconds", "2", "--no-analysis"])
        // Once a segment is done and the next one is being encoded, the coordinator dies.
        var running: Int?
        let deadline = Date().addingTimeInterval(120)
        while running == nil, Date() < deadline {
            let log = agentLog().split(separator: "\n")
            let done = log.filter { $0.contains("segment done") }.count
            if done >= 1, let last = log.last(where: { $0.contains("segment assigned") }),
               let n = last.split(separator: "segment=").last.flatMap({ Int($0) }),
               lines("segment done", segment: n) == 0 {
                running = n
            }
            usleep(100_000)
        }
        let segment = try #require(running, "the agent never worked on a second segment: \(agentLog())")
        serve.killNow()
        // The agent goes on and finishes it while nobody listens.
        let finished = Date().addingTimeInterval(120)
        while lines("segment done", segment: segment) == 0, Date() < finished { usleep(100_000) }
        try #require(lines("segment done", segment: segment) == 1, "\(agentLog())")
        // The coordinator comes back while the agent waits to say hello again: the job is queued
        // before the agent asks for work, so the agent is leased the segment it has finished
        // before it re-sends that result (the order that had it encoded twice).
        while !agentLog().contains("coordinator silent"), Date() < finished { usleep(100_000) }
        let restartedAfter = Date().timeIntervalSince(submitted)
        try serve.restart()
        let job = try serve.waitForJob(id, timeout: 240)
        #expect(job["state"] as? String == "done", "\(job) \(serve.allLogs.suffix(3000))")
        // Its result counts (if the agent was leased it again first, that copy loses, as a
        // speculative copy does); the old code ignored it as "never leased".
        #expect(serve.log.contains("adopted a segment finished while the coordinator was away"), "\(serve.log.suffix(3000))")
        #expect(!serve.log.contains("was never leased to this agent"), "\(serve.log.suffix(3000))")
        // The segments' time counts from the first run's dispatch, not the restart's (QA).
        let timings = job["timings"] as? [String: Any]
        let start = timings?["dispatchStart"] as? Double
        #expect(start.map { $0 < restartedAfter - 1 } == true, "dispatch start \(String(describing: start)) s, restarted after \(restartedAfter) s")
    }
}
