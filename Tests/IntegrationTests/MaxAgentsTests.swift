import Foundation
import Testing
import TestSupport

/// `maxAgents` and the timings a benchmark reads, on a real `gopfarm serve` with three agent
/// processes: a job limited to two agents never has a third working on it, is planned for two
/// slots, and its view says where its time went; an unlimited job is planned for all three; a
/// job submitted before any agent connected is planned for those that connect.
@Suite("maxAgents and job timings", .serialized)
struct MaxAgentsTests {
    struct Attempt: Decodable {
        var segment: Int
        var agent: String
        var speculative: Bool
        var outcome: String?
        var assigned: Double
        var ended: Double?
        var extractSeconds: Double
        var sentBytes: Int
        var returnedBytes: Int?
        var encodeSeconds: Double?
    }

    struct Timings: Decodable {
        var probeSeconds: Double?
        var planSeconds: Double?
        var plannedSlots: Int?
        /// Segments the dispatcher split at the end (a slot done early shares the last one).
        var planSplits: [Split]?
        var dispatchStart: Double?
        var dispatchEnd: Double?
        var stitchSeconds: Double?
        var attempts: [Attempt]
    }

    struct Split: Decodable { var segment: Int; var frames: Int }

    struct View: Decodable {
        var state: String
        var maxAgents: Int?
        var agents: [String]
        var outputFrames: Int?
        var progress: Progress
        var timings: Timings?
        struct Progress: Decodable { var segmentsTotal: Int }
        /// Segments as planned, before the dispatcher's splits.
        var plannedSegments: Int { progress.segmentsTotal - (timings?.planSplits?.count ?? 0) }
    }

    @Test("a job limited to 2 of 3 agents uses at most 2 at once; its timings are complete")
    func limitedJob() throws {
        let dir = TestPaths.scratch("max-agents")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agents = try (1...3).map { try serve.startAgent(name: "agent-\($0)") }
        defer { for a in agents { a.terminate() } }
        func connected() -> Int { serve.connectedAgents().count }
        let deadline = Date().addingTimeInterval(30)
        while connected() < 3, Date() < deadline { usleep(100_000) }
        try #require(connected() == 3, "\(serve.log)")

        let input = try Fixture.lossyClip(seconds: 8)
        let sourceFrames = try FFmpegOracle.countFrames(input)
        let encode = ["--codec", "libx264", "--preset", "ultrafast", "--segment-seconds", "1", "--no-analysis"]
        func run(_ name: String, _ extra: [String]) throws -> View {
            let out = try serve.cli(["submit", input, "-o", dir.appendingPathComponent(name).path, "--wait", "--json", "--quiet"]
                                    + encode + extra, token: serve.adminToken, timeout: 240)
            try #require(out.status == 0, "\(out.stderr)\n\(serve.log)")
            return try JSONDecoder().decode(View.self, from: Data(out.stdout.utf8))
        }

        let limited = try run("limited.mp4", ["--max-agents", "2"])
        #expect(limited.state == "done" && limited.outputFrames == sourceFrames && limited.maxAgents == 2)
        let t = try #require(limited.timings)
        #expect(t.plannedSlots == 2)
        #expect(limited.plannedSegments % 2 == 0, "\(limited.plannedSegments) segments for 2 slots")
        #expect(Set(t.attempts.map(\.agent)).count <= 2, "agents: \(Set(t.attempts.map(\.agent)))")
        // At no moment do attempts of more than two agents overlap.
        for a in t.attempts {
            let at = a.assigned + 1e-6
            let busy = Set(t.attempts.filter { $0.assigned <= at && ($0.ended ?? .infinity) > at }.map(\.agent))
            #expect(busy.count <= 2, "at \(at) s: \(busy)")
        }
        // Every phase and attempt is timed, in order.
        #expect((t.probeSeconds ?? 0) > 0 && t.planSeconds != nil && (t.stitchSeconds ?? 0) > 0)
        let start = try #require(t.dispatchStart), end = try #require(t.dispatchEnd)
        #expect(start > 0 && end > start)
        #expect(Set(t.attempts.filter { $0.outcome == "done" }.map(\.segment)).count == limited.progress.segmentsTotal)
        for a in t.attempts where a.outcome == "done" {
            #expect(a.sentBytes > 0 && (a.returnedBytes ?? 0) > 0 && (a.encodeSeconds ?? 0) > 0 && a.extractSeconds >= 0)
            #expect(a.assigned >= start - 0.01 && (a.ended ?? 0) <= end + 0.01 && (a.ended ?? 0) > a.assigned)
        }

        // Without a limit the plan is cut for all three agents' slots.
        let open = try run("open.mp4", [])
        #expect(open.state == "done" && open.outputFrames == sourceFrames && open.maxAgents == nil)
        #expect(open.timings?.plannedSlots == 3)
        #expect(open.plannedSegments % 3 == 0, "\(open.plannedSegments) segments for 3 slots")

        // The API refuses a limit that is not a count of agents.
        let bad = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                    json: #"{"input":"\#(input)","settings":{"codec":"libx264"},"maxAgents":0}"#)
        #expect(bad.status == 422 && bad.text.contains("max agents must be between 1 and 10000"), "\(bad.status) \(bad.text)")
    }

    @Test("a job submitted before any agent is planned for the agents that then connect, not for one slot")
    func plannedForAgentsThatConnectLater() throws {
        let dir = TestPaths.scratch("plan-waits")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let input = try Fixture.lossyClip(seconds: 8)
        // Submitted with --wait from a script (stdout and stderr a file, not a terminal).
        let waitLog = dir.appendingPathComponent("wait.log")
        let waiter = try Subprocess.start(TestPaths.gopfarm, ["submit", input, "-o", dir.appendingPathComponent("late.mp4").path,
                                                               "--codec", "libx264", "--preset", "ultrafast", "--segment-seconds", "1",
                                                               "--no-analysis", "--wait", "--url", serve.baseURL, "--token", serve.adminToken],
                                          log: waitLog)
        defer { if waiter.isRunning { waiter.terminate() } }
        func waited() -> String { (try? String(contentsOf: waitLog, encoding: .utf8)) ?? "" }
        var deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !waited().contains(" submitted;") { usleep(100_000) }
        let id = try #require(waited().split(separator: " ").dropFirst().first.map(String.init), "\(waited())")
        // Probed, and waiting for agents: the job says so and holds no plan yet; so does the
        // --wait, once, where a script's log showed nothing at all before.
        var status = ""
        deadline = Date().addingTimeInterval(30)
        while !status.contains("waiting:   for an agent that takes work"), Date() < deadline {
            status = (try? serve.cli(["status", id], token: serve.adminToken).stdout) ?? ""
            usleep(200_000)
        }
        #expect(status.contains("waiting:   for an agent that takes work"), "\(status)\n\(serve.log)")
        while Date() < deadline, !waited().contains("is waiting for an agent") { usleep(100_000) }
        #expect(waited().components(separatedBy: "job \(id) is waiting for an agent that takes work (none is connected, or every one is draining); the plan is cut for the slots of the agents that do\n").count == 2,
                "\(waited())")
        let agents = try (1...3).map { try serve.startAgent(name: "late-\($0)") }
        defer { for a in agents { a.terminate() } }
        var last: View?
        let end = Date().addingTimeInterval(240)
        while Date() < end {
            let out = try serve.cli(["status", id, "--json"], token: serve.adminToken)
            last = try? JSONDecoder().decode(View.self, from: Data(out.stdout.utf8))
            if let state = last?.state, ["done", "failed", "cancelled"].contains(state) { break }
            usleep(300_000)
        }
        let view = try #require(last, "\(serve.log)")
        let exitBy = Date().addingTimeInterval(30)
        while waiter.isRunning, Date() < exitBy { usleep(100_000) }
        #expect(!waiter.isRunning && waiter.terminationStatus == 0, "\(waited())")
        let sourceFrames = try FFmpegOracle.countFrames(input)
        #expect(view.state == "done" && view.outputFrames == sourceFrames)
        // Cut for the three agents (8 segments at 1 s for one slot would not divide by 3).
        #expect(view.timings?.plannedSlots == 3, "\(serve.log)")
        #expect(view.plannedSegments % 3 == 0, "\(view.plannedSegments) segments for 3 slots")
    }
}
