import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// A coordinator that restarted finds its agents still encoding what the old one gave them: a
/// segment still waiting for a lease is leased to the agent that reports it in flight, and its
/// result is accepted, instead of the segment being encoded twice.
@Suite("Dispatch core: work in flight after a restart")
struct DispatchAdoptTests {
    typealias Farm = DispatchCoreTests.Farm

    @Test func workInFlightOfAnotherCoordinatorIsAdoptedAndItsResultAccepted() {
        var farm = Farm()
        farm.add(segments: 2)
        // a1 comes back busy (no free slot to ask for) on segment 1, attempt 2 of the old coordinator.
        farm.join(1, key: "K1", credit: false)
        farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: 1, attempt: 2, frames: 4)])), key: "K1")
        #expect(farm.core.jobs["j"]?.segments[1].leases.map(\.attempt) == [2])

        // a2 joins with a free slot: it gets segment 0, not the adopted 1.
        farm.join(2, key: "K2")
        let handed = Farm.assigned(farm.on(.tick, at: 0.1))
        #expect(handed.map(\.segment) == [0], "\(handed)")

        // a1's result of attempt 2 counts; a2 finishes 0; the job completes, nothing ran twice.
        farm.result(1, segment: 1, attempt: 2, key: "K1")
        let done = farm.result(2, segment: 0, attempt: handed[0].attempt, key: "K2")
        guard case .completed(let segments, _)? = farm.outcome(done) else { Issue.record("job not completed: \(done)"); return }
        #expect(segments.map(\.agent) == ["a2", "a1"])
        #expect(farm.core.snapshot(now: 1).agents.allSatisfy { $0.busy == 0 })
    }

    @Test func anAgentBackBeforeItsJobResumesIsAdoptedOnceItDoes() {
        var farm = Farm()
        farm.join(1, key: "K1", credit: false)
        let beat = AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: 1, frames: 2)])
        farm.from(1, .heartbeat(beat), key: "K1")  // no such job yet: watched as a phantom
        farm.add(segments: 1)
        farm.now = 0.5
        farm.from(1, .heartbeat(beat), key: "K1")
        #expect(farm.core.jobs["j"]?.segments[0].leases.map(\.attempt) == [1])
        let done = farm.result(1, segment: 0, attempt: 1, key: "K1")
        guard case .completed(let segments, _)? = farm.outcome(done) else { Issue.record("job not completed: \(done)"); return }
        #expect(segments.map(\.agent) == ["a1"])
    }

    @Test func aResultFinishedWhileTheCoordinatorWasAwayIsAccepted() {
        var farm = Farm()
        farm.add(segments: 1)
        // a1 finished segment 0 (attempt 1 of the old coordinator) while it was down: its first
        // word on the new one is the result.
        farm.join(1, key: "K1", credit: false)
        let done = farm.result(1, segment: 0, attempt: 1, key: "K1")
        guard case .completed(let segments, _)? = farm.outcome(done) else { Issue.record("job not completed: \(done)"); return }
        #expect(segments.map(\.agent) == ["a1"])
    }

    /// QA, `serve` restarted mid-job: a2 reconnected first and was leased segment 0 again, which
    /// a1 was still encoding (attempt 1 of the earlier run); a1's heartbeat then left it a phantom,
    /// a2 encoded it a second time for 20 s, and `gopfarm agents` showed a1 idle. Now a1 keeps it
    /// and a2's lease, not started, is taken back.
    @Test func anEarlierRunsAttemptInFlightWinsOverANewLeaseNotStarted() {
        var farm = Farm()
        var job = DispatchSimulation.dispatchJob(SimulationSpec.Job(id: "j", segments: Array(repeating: SimulationSpec.Segment(frames: 10, seconds: 1, sentBytes: 1, returnedBytes: 1), count: 2)))
        job.priorAttempts = [0: 1]
        farm.on(.addJob(job, restored: [:], openError: nil))
        farm.join(2, key: "K2")
        let handed = Farm.assigned(farm.on(.tick, at: 0.1))
        #expect(handed.map(\.segment) == [0] && handed.map(\.attempt) == [2], "\(handed)")

        farm.join(1, key: "K1", credit: false)
        let actions = farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: 1, frames: 6)])), key: "K1")
        #expect(farm.core.jobs["j"]?.segments[0].leases.map(\.attempt) == [1], "a1's attempt 1 is the lease now")
        #expect(Self.replies(actions, to: 2).contains { if case .revoke(let r) = $0 { r.segment == 0 && r.attempt == 2 } else { false } },
                "a2 is told to drop its copy")
        #expect(farm.core.snapshot(now: 1).agents.first { $0.name == "a1" }?.busy == 1, "a1 is shown busy")

        let done = farm.result(1, segment: 0, attempt: 1, key: "K1")
        #expect(farm.outcome(done) == nil)
        #expect(farm.core.jobs["j"]?.completed[0]?.agent == "a1")
    }

    static func replies(_ actions: [DispatchAction], to agent: Int) -> [AgentReply] {
        DispatchCoreTests.replies(actions, to: agent)
    }

    @Test func workInFlightOnASegmentLeasedElsewhereStaysAPhantom() {
        var farm = Farm()
        farm.add(segments: 1)
        farm.join(2, key: "K2")
        let handed = Farm.assigned(farm.on(.tick))
        #expect(handed.map(\.segment) == [0])
        // a1 reports segment 0 in flight (an old coordinator's attempt 1): a2 holds it, so a1's
        // result of that attempt is refused and a2's counts.
        farm.join(1, key: "K1", credit: false)
        farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: 7, frames: 4)])), key: "K1")
        let refused = farm.result(1, segment: 0, attempt: 7, key: "K1")
        #expect(farm.outcome(refused) == nil)
        let done = farm.result(2, segment: 0, attempt: handed[0].attempt, key: "K2")
        guard case .completed(let segments, _)? = farm.outcome(done) else { Issue.record("job not completed: \(done)"); return }
        #expect(segments.map(\.agent) == ["a2"])
    }
}
