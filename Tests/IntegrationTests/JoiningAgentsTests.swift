import Foundation
import Testing
import TestSupport

/// Agents that join a running job get parts cut for them (`DispatchSplitter`), on a real
/// `gopfarm serve`: a job planned for one agent is split when an agent with two slots connects,
/// and its output has every source frame at the source's times.
@Suite("Agents joining a running job", .serialized)
struct JoiningAgentsTests {
    struct View: Decodable {
        var state: String
        var outputFrames: Int?
        var error: String?
        var progress: Progress
        var timings: Timings?
        struct Progress: Decodable { var segmentsDone: Int; var segmentsTotal: Int }
        struct Timings: Decodable {
            var plannedSlots: Int?
            var planSplits: [Split]?
            var attempts: [Attempt]
        }
        struct Split: Decodable { var segment: Int; var frames: Int }
        struct Attempt: Decodable { var segment: Int; var agent: String; var outcome: String? }
    }

    /// With `killCoordinator`, the coordinator is SIGKILLed once a part is done after the split and
    /// restarted (the first agent stopped meanwhile): it must replay the split, keep the finished
    /// part where it belongs, and finish.
    @Test("a job cut for one slot is split for the two slots that join while it runs; every frame is there",
          arguments: [false, true])
    func splitForAgentsThatJoin(killCoordinator: Bool) throws {
        let dir = TestPaths.scratch("joining")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        // No prefetch: the second segment stays untouched until an agent asks for it.
        let first = try serve.startAgent(name: "first", extra: ["--insecure", "--prefetch", "0"])
        defer { first.terminate() }
        func status(_ id: String) -> View? {
            guard let out = try? serve.cli(["status", id, "--json"], token: serve.adminToken) else { return nil }
            return try? JSONDecoder().decode(View.self, from: Data(out.stdout.utf8))
        }
        func agents() -> Int { serve.connectedAgents().count }
        var deadline = Date().addingTimeInterval(30)
        while agents() < 1, Date() < deadline { usleep(100_000) }
        try #require(agents() == 1, "\(serve.log)")

        // Two 4 s segments (key frames every 2 s) for one slot, each many seconds of veryslow x264.
        let input = try Fixture.lossyClip(seconds: 8)
        let id = try serve.submit(input, output: dir.appendingPathComponent("out.mp4").path,
                                  ["--codec", "libx264", "--preset", "veryslow", "--segment-seconds", "4", "--no-analysis"])
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline, status(id)?.timings?.attempts.isEmpty ?? true { usleep(100_000) }
        try #require(status(id)?.timings?.plannedSlots == 1, "\(serve.log)")

        // One agent with two slots: both arrive in one hello (two agents could ask one by one,
        // and the first would see only two slots).
        let late = try serve.startAgent(name: "late", slots: 2)
        defer { late.terminate() }
        if killCoordinator {
            // The splitter makes the parts and the first segment end together, so the job could
            // end between two polls (CI saw it): the first agent is held still once the split is
            // made, and the job cannot end before the coordinator goes down.
            defer { kill(first.processIdentifier, SIGCONT) }
            deadline = Date().addingTimeInterval(120)
            while Date() < deadline, (status(id)?.timings?.planSplits ?? []).isEmpty { usleep(100_000) }
            kill(first.processIdentifier, SIGSTOP)
            while Date() < deadline, (status(id)?.progress.segmentsDone ?? 0) < 1 { usleep(100_000) }
            let before = try #require(status(id), "\(serve.log)")
            try #require(before.state == "running" && !(before.timings?.planSplits ?? []).isEmpty && before.progress.segmentsDone >= 1,
                         "not split, running and a part done: \(before.state)\n\(serve.log)")
            try serve.killAndRestart()
            kill(first.processIdentifier, SIGCONT)
        }
        var view: View?
        deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            view = status(id)
            if let state = view?.state, ["done", "failed", "cancelled"].contains(state) { break }
            usleep(300_000)
        }
        let done = try #require(view, "\(serve.log)")
        let sourceTimes = try FFmpegOracle.frameTimes(input)
        #expect(done.state == "done" && done.outputFrames == sourceTimes.count, "\(done.state) \(done.error ?? "")\n\(serve.log)")
        let splits = done.timings?.planSplits ?? []
        #expect(!splits.isEmpty, "no split: \(serve.log)")
        #expect(done.progress.segmentsTotal == 2 + splits.count)
        // The parts of the second segment went to the agent that joined.
        let workers = Set(done.timings?.attempts.filter { $0.outcome == "done" && $0.segment >= 1 }.map(\.agent) ?? [])
        #expect(workers.contains("late"), "\(workers)")
        let output = dir.appendingPathComponent("fetched.mp4").path
        let fetched = try serve.cli(["fetch", id, "-o", output], token: serve.adminToken)
        try #require(fetched.status == 0, "\(fetched.stderr)")
        let times = try FFmpegOracle.frameTimes(output)
        #expect(times.count == sourceTimes.count)
        let off = zip(sourceTimes, times).enumerated().first { abs($0.element.0 - $0.element.1) > 0.003 }
        #expect(off == nil, "frame \(off?.offset ?? -1): \(off?.element.1 ?? 0) s, source \(off?.element.0 ?? 0) s")
        if killCoordinator {
            // The restarted coordinator cut the same plan and kept what was done.
            #expect(serve.allLogs.contains("kept finished segments"), "\(serve.allLogs)")
        }
    }
}
