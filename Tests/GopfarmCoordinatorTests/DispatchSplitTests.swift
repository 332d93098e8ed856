import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// The dispatcher cuts a segment no one started when it is longer than its share of the work
/// left (`DispatchSplitter`): agents that join a running job get parts cut for them.
@Suite("Dispatch splits")
struct DispatchSplitTests {
    typealias Farm = DispatchCoreTests.Farm

    /// Four 250-frame segments (10 s at 25 fps, key frames every 2 s), splittable at any frame.
    static func job() throws -> (DispatchJob, VideoPacketIndex) {
        let index = SegmentPlannerTests().closedIndex(frames: 1000, gop: 50)
        let plan = try SegmentPlanner(targetSeconds: 10).plan(index, timeBase: Rational(1, 25))
        var job = DispatchJob(id: "j", plan: plan, settings: EncodeSettings(), frameRate: Rational(25, 1),
                              spool: URL(fileURLWithPath: "/spool"))
        job.splitter = DispatchSplitter(minimumFrames: 62) { plan, split in try? SegmentPlanner.split(plan, split, index: index) }
        return (job, index)
    }

    static func splits(_ actions: [DispatchAction]) -> [PlanSplit] {
        actions.compactMap { if case .record(.split(_, let s, _)) = $0 { s } else { nil } }
    }

    @Test func agentsThatJoinARunningJobGetPartsCutForThem() throws {
        var farm = Farm()
        let (job, _) = try Self.job()
        farm.on(.addJob(job, restored: [:], openError: nil))
        farm.join(1)
        // One agent: its segment is the whole share, nothing is cut.
        let first = farm.on(.tick)
        #expect(Farm.assigned(first).map(\.segment) == [0])
        #expect(Self.splits(first).isEmpty)
        // Six more join while it works: the 750 frames left and the 250 running are cut for 7.
        for agent in 2...7 { farm.join(agent) }
        let actions = farm.on(.tick, at: 1)
        let assigned = Farm.assigned(actions)
        #expect(assigned.count == 6)
        #expect(!Self.splits(actions).isEmpty)
        let plan = try #require(farm.core.job("j")?.plan)
        #expect(plan.expectedFrames == 1000)
        #expect(plan.segments.count == 4 + Self.splits(actions).count)
        #expect(plan.segments[0].expectedFrames == 250)
        for n in assigned.map(\.segment) {
            #expect((62...178).contains(plan.segments[n].expectedFrames), "segment \(n): \(plan.segments[n].expectedFrames) frames")
        }
        // Every part is done once, and the outcome carries the plan the parts were cut by.
        var pending = Farm.assigned(first) + assigned
        var last: [DispatchAction] = []
        for _ in 0..<50 where !pending.isEmpty {
            let a = pending.removeFirst()
            last = farm.result(Int(a.agent.last!), segment: a.segment, attempt: a.attempt)
            if farm.outcome(last) != nil { break }
            pending += Farm.assigned(farm.on(.tick))
        }
        guard case .completed(let segments, let finished)? = farm.outcome(last) else { Issue.record("not completed: \(last)"); return }
        #expect(segments.map(\.result.segment) == Array(0..<finished.segments.count))
        #expect(finished.segments.map(\.expectedFrames) == plan.segments.map(\.expectedFrames))
        #expect(finished.expectedFrames == 1000)
    }

    @Test func aFarmWhoseSlotsDoNotChangeRunsThePlanAsCut() throws {
        // Two agents on a plan cut for two: each share is at least a segment until the end.
        var farm = Farm()
        let (job, _) = try Self.job()
        farm.on(.addJob(job, restored: [:], openError: nil))
        farm.join(1)
        farm.join(2)
        let actions = farm.on(.tick)
        #expect(Farm.assigned(actions).map(\.segment) == [0, 1])
        #expect(Self.splits(actions).isEmpty)
    }

    @Test func theSplitterNeverCutsBelowItsFloorOrForASmallExcess() {
        let splitter = DispatchSplitter(minimumFrames: 60) { _, _ in nil }
        #expect(splitter.split(frames: 250, share: 240) == nil)  // within a quarter of its share
        #expect(splitter.split(frames: 250, share: 100) == 100)
        #expect(splitter.split(frames: 250, share: 10) == 60)  // never under the floor
        #expect(splitter.split(frames: 100, share: 10) == nil)  // the rest would be under it
    }
}

/// The same rule in the simulator: a job cut for one agent into two 40 s segments, three more
/// agents joining 5 s in.
@Suite("Dispatch splits, simulated")
struct DispatchSplitSimulationTests {
    static func run(splitting: Bool) -> SimulationOutcome {
        var job = SimulationSpec.Job(id: "film", segments: Array(repeating: SimulationSpec.Segment(frames: 600, seconds: 40, sentBytes: 1_000_000,
                                                                                                    returnedBytes: 100_000), count: 2))
        job.minimumSplitFrames = splitting ? 75 : nil
        let spec = SimulationSpec(agents: [SimulationSpec.AgentGroup(count: 1, prefetch: 0),
                                           SimulationSpec.AgentGroup(count: 3, prefetch: 0, joinAt: 5)], jobs: [job])
        return FarmPrediction.simulate(spec)
    }

    @Test func agentsThatJoinLaterShareTheRestAndTheJobEndsSooner() {
        let split = Self.run(splitting: true), whole = Self.run(splitting: false)
        #expect(split.jobs.map(\.state) == ["done"] && whole.jobs.map(\.state) == ["done"])
        // As planned, one that joins takes the second segment and ends at 5 + 40 s. Split for the
        // four slots, the second segment's parts run on two of them and the first agent's
        // segment (40 s, running when they joined) is the last to end.
        #expect((whole.timeline.map(\.segment).max() ?? 0) == 1)
        #expect((split.timeline.map(\.segment).max() ?? 0) > 1)
        #expect(whole.makespan > 44 && split.makespan < 41, "split \(split.makespan) s, as planned \(whole.makespan) s")
    }
}
