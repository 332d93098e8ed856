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

    @Test func stragglersAreReRunOnlyWhenFarBehindTheMedian() {
        let policy = StragglerPolicy(factor: 2, minimumSeconds: 5)
        let lease = { (agent: String, started: Double) in
            [SegmentStateMachine.Lease(agent: agent, attempt: 1, started: started, deadline: 1e9)]
        }
        let running = [(segment: 3, leases: lease("slow", 0)), (segment: 4, leases: lease("other", 15))]
        // Median 10 s: segment 3 has run 25 s (> 20 s), segment 4 only 10 s.
        #expect(policy.pick(running: running, typicalSeconds: 10, now: 25, agent: "idle") == 3)
        #expect(policy.pick(running: running, typicalSeconds: 10, now: 15, agent: "idle") == nil)
        #expect(policy.pick(running: running, typicalSeconds: nil, now: 100, agent: "idle") == nil)
        // Never against itself.
        #expect(policy.pick(running: running, typicalSeconds: 10, now: 25, agent: "slow") == nil)
    }
}
