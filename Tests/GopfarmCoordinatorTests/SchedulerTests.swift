@testable import GopfarmCoordinator
import Testing

@Suite("Scheduler and straggler policy")
struct SchedulerTests {
    typealias C = Scheduler.Candidate

    @Test func priorityComesFirst() {
        let jobs = [C(job: "a", priority: .normal, owner: "alice", sequence: 0),
                    C(job: "b", priority: .high, owner: "alice", sequence: 1),
                    C(job: "c", priority: .low, owner: "bob", sequence: 2)]
        #expect(Scheduler.pick(jobs, runningByOwner: ["alice": 10])?.job == "b")
    }

    @Test func equalPrioritiesShareSlotsBetweenProducers() {
        let jobs = [C(job: "a1", priority: .normal, owner: "alice", sequence: 0),
                    C(job: "a2", priority: .normal, owner: "alice", sequence: 1),
                    C(job: "b1", priority: .normal, owner: "bob", sequence: 2)]
        #expect(Scheduler.pick(jobs, runningByOwner: ["alice": 2, "bob": 1])?.job == "b1")
        #expect(Scheduler.pick(jobs, runningByOwner: ["alice": 1, "bob": 1])?.job == "a1")
        // Simulate handing out 6 slots: the two producers end up with 3 each.
        var running: [String: Int] = [:]
        for _ in 0..<6 { running[Scheduler.pick(jobs, runningByOwner: running)!.owner, default: 0] += 1 }
        #expect(running == ["alice": 3, "bob": 3])
    }

    @Test func submissionOrderBreaksTies() {
        let jobs = [C(job: "late", priority: .normal, owner: "alice", sequence: 5),
                    C(job: "early", priority: .normal, owner: "alice", sequence: 1)]
        #expect(Scheduler.pick(jobs, runningByOwner: [:])?.job == "early")
        #expect(Scheduler.pick([], runningByOwner: [:]) == nil)
    }

    @Test func stragglersAreReRunOnlyWhenFarBehindTheirExpectedTime() {
        let policy = StragglerPolicy(factor: 2, minimumSeconds: 5)
        let lease = { (agent: String, started: Double) in
            [SegmentStateMachine.Lease(agent: agent, attempt: 1, started: started)]
        }
        let running = [StragglerPolicy.Running(segment: 3, leases: lease("slow", 0), expectedFrames: 100),
                       StragglerPolicy.Running(segment: 4, leases: lease("other", 15), expectedFrames: 100)]
        // 0.1 s a frame: 10 s expected, re-run past 20 s. Segment 3 has run 25 s, segment 4 only 10 s.
        #expect(policy.pick(running: running, secondsPerFrame: 0.1, now: 25, agent: "idle") == 3)
        #expect(policy.pick(running: running, secondsPerFrame: 0.1, now: 15, agent: "idle") == nil)
        // Never against itself.
        #expect(policy.pick(running: running, secondsPerFrame: 0.1, now: 25, agent: "slow") == nil)
        // Never below the minimum, however cheap the frames.
        #expect(policy.pick(running: running, secondsPerFrame: 0.001, now: 4, agent: "idle") == nil)
    }

    /// No completed segment is needed: before any frame was reported a time bound applies
    /// (factor × minimum), and a longer segment gets a longer bound.
    @Test func stragglersNeedNoCompletedSegment() {
        let policy = StragglerPolicy(factor: 2, minimumSeconds: 5)
        let one = [StragglerPolicy.Running(segment: 0, leases: [SegmentStateMachine.Lease(agent: "a", attempt: 1, started: 0)], expectedFrames: 250)]
        #expect(policy.pick(running: one, secondsPerFrame: nil, now: 9, agent: "b") == nil)
        #expect(policy.pick(running: one, secondsPerFrame: nil, now: 11, agent: "b") == 0)
        #expect(policy.threshold(expectedFrames: 250, secondsPerFrame: 0.1) == 50)
        #expect(policy.threshold(expectedFrames: 25, secondsPerFrame: 0.1) == 5)
    }
}
