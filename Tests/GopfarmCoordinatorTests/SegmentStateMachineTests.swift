@testable import GopfarmCoordinator
import Testing

@Suite("Segment state machine")
struct SegmentStateMachineTests {
    @Test func leaseResultDone() {
        var s = SegmentStateMachine()
        #expect(s.isPending)
        let attempt = s.assign(to: "a", now: 0)
        #expect(attempt == 1)
        #expect(s.decideResult(agent: "a", attempt: 1) == .accept)
        s.accept(agent: "a", attempt: 1)
        #expect(s.isDone)
        #expect(s.decideResult(agent: "a", attempt: 1) == .reject("segment already done"))
    }

    @Test func aStalledLeaseIsTakenBackAndALateResultIsAcceptedOnce() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0)
        let grew = s.progress(agent: "a", attempt: 1, frames: 5, now: 8)
        #expect(grew)
        #expect(s.stalled(now: 15, stallSeconds: 10).isEmpty)  // progress at 8: bound until 18
        let late = s.stalled(now: 19, stallSeconds: 10)
        #expect(late.map(\.agent) == ["a"] && late[0].frames == 5)
        #expect(s.failure(agent: "a", attempt: 1, message: "stalled", kind: .transient) == .requeue)
        #expect(s.isPending && s.requeues == 1)
        _ = s.assign(to: "b", now: 20)
        // a's late result of attempt 1 is still valid and wins…
        #expect(s.decideResult(agent: "a", attempt: 1) == .accept)
        s.accept(agent: "a", attempt: 1)
        // …and b's result afterwards is ignored.
        #expect(s.decideResult(agent: "b", attempt: 2) == .reject("segment already done"))
    }

    /// A heartbeat that repeats the same frame count is not progress: the lease runs out
    /// however often the agent heartbeats.
    @Test func heartbeatsWithoutNewFramesDoNotKeepALease() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0)
        for t in stride(from: 1.0, through: 30, by: 1) {
            let grew = s.progress(agent: "a", attempt: 1, frames: 0, now: t)
            #expect(!grew)
        }
        #expect(s.stalled(now: 30, stallSeconds: 10).map(\.agent) == ["a"])
        // Progress from someone else's attempt, or going backwards, changes nothing either.
        var t = SegmentStateMachine()
        _ = t.assign(to: "a", now: 0)
        let grew = [t.progress(agent: "a", attempt: 1, frames: 10, now: 5), t.progress(agent: "a", attempt: 1, frames: 9, now: 9),
                    t.progress(agent: "b", attempt: 1, frames: 50, now: 9), t.progress(agent: "a", attempt: 2, frames: 50, now: 9)]
        #expect(grew == [true, false, false, false])
        #expect(t.stalled(now: 16, stallSeconds: 10).map(\.frames) == [10])
    }

    @Test func aResultForALeaseNeverHeldIsRejected() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0)
        #expect(s.decideResult(agent: "mallory", attempt: 1) != .accept)
        #expect(s.decideResult(agent: "a", attempt: 7) != .accept)
    }

    @Test func poisonAfterThreeAgents() {
        var s = SegmentStateMachine()
        for agent in ["a", "b"] {
            let n = s.assign(to: agent, now: 0)
            #expect(s.failure(agent: agent, attempt: n, message: "boom on \(agent)", kind: .transient) == .requeue)
        }
        let n = s.assign(to: "c", now: 0)
        #expect(s.failure(agent: "c", attempt: n, message: "boom on c", kind: .transient)
            == .failJob(.init(kind: .transient, message: "boom on c", agents: 3)))
    }

    @Test func permanentFailureFailsAtOnceAndLostAgentsRequeue() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0)
        let stranger = s.agentLost("b")
        #expect(!stranger)
        let holder = s.agentLost("a")
        #expect(holder)
        let n = s.assign(to: "b", now: 0)
        #expect(s.failure(agent: "b", attempt: n, message: "bad option", kind: .permanent)
            == .failJob(.init(kind: .permanent, message: "bad option", agents: 1)))
    }

    @Test func aSingleAgentCannotRetryForever() {
        var s = SegmentStateMachine()
        var last = SegmentStateMachine.FailureDecision.ignore
        for _ in 0..<SegmentStateMachine.maxFailures {
            let n = s.assign(to: "only", now: 0)
            last = s.failure(agent: "only", attempt: n, message: "boom", kind: .transient)
        }
        #expect(last == .failJob(.init(kind: .transient, message: "boom", agents: 1)))
    }

    @Test func aSpeculativeReRunRacesTheFirstLeaseAndTheFirstValidResultWins() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "slow", now: 0)
        let second = s.assign(to: "fast", now: 30)
        #expect(s.leases.count == 2)
        // The fast one failing leaves the slow one running.
        #expect(s.failure(agent: "fast", attempt: second, message: "boom", kind: .transient) == .keepRunning)
        let third = s.assign(to: "fast", now: 40)
        let losers = s.accept(agent: "fast", attempt: third)
        #expect(losers.map(\.agent) == ["slow"])
        #expect(s.decideResult(agent: "slow", attempt: 1) == .reject("segment already done"))
    }

    @Test func losingOneOfTwoLeasesKeepsTheSegmentRunning() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0)
        _ = s.assign(to: "b", now: 5)
        let becamePending = s.agentLost("a")
        #expect(!becamePending && !s.isPending)
        let stalled = s.stalled(now: 16, stallSeconds: 10)
        #expect(stalled.map(\.agent) == ["b"])
        #expect(s.failure(agent: "b", attempt: 2, message: "stalled", kind: .transient) == .requeue)
        #expect(s.isPending)
    }

    @Test func aRepeatedFailureOfOneAttemptCountsOnce() {
        var s = SegmentStateMachine()
        let n = s.assign(to: "a", now: 0)
        #expect(s.failure(agent: "a", attempt: n, message: "boom", kind: .transient) == .requeue)
        for _ in 0..<10 {
            #expect(s.failure(agent: "a", attempt: n, message: "boom", kind: .transient) == .ignore)
        }
        #expect(s.failures == 1 && s.isPending)
    }

    // MARK: - What a failure says about the segment

    @Test func aDecodeErrorFailsTheJobAtOnce() {
        var s = SegmentStateMachine()
        let n = s.assign(to: "a", now: 0)
        let decision = s.failure(agent: "a", attempt: n, message: "two decoded frames share a timestamp", kind: .deterministic)
        #expect(decision == .failJob(.init(kind: .deterministic, message: "two decoded frames share a timestamp", agents: 1)))
        #expect(s.state == .failed("two decoded frames share a timestamp"))
        // Nothing more happens to it.
        #expect(s.decideResult(agent: "a", attempt: n) == .reject("segment already failed"))
        #expect(s.failure(agent: "a", attempt: n, message: "again", kind: .deterministic) == .ignore)
    }

    /// A result that differs from the plan is tried once more (the agent may be at fault); the
    /// same difference again, on any agent, is the file.
    @Test func theSameWrongResultTwiceFailsTheJob() {
        var s = SegmentStateMachine()
        let first = s.assign(to: "only", now: 0)
        #expect(s.failure(agent: "only", attempt: first, message: "13 frames, the plan says 26", kind: .mismatch) == .requeue)
        let second = s.assign(to: "only", now: 1)
        #expect(s.failure(agent: "only", attempt: second, message: "13 frames, the plan says 26", kind: .mismatch)
            == .failJob(.init(kind: .mismatch, message: "13 frames, the plan says 26", agents: 1)))

        // A different wrong result is not yet proof.
        var t = SegmentStateMachine()
        let a = t.assign(to: "a", now: 0)
        #expect(t.failure(agent: "a", attempt: a, message: "12 frames", kind: .mismatch) == .requeue)
        let b = t.assign(to: "b", now: 0)
        #expect(t.failure(agent: "b", attempt: b, message: "13 frames", kind: .mismatch) == .requeue)
    }

    /// Any failure reported the same way by two agents is a property of the segment; the same
    /// agent repeating itself is not (that is what the blocklist is for).
    @Test func theSameFailureOnTwoAgentsFailsTheJob() {
        var s = SegmentStateMachine()
        let a1 = s.assign(to: "a", now: 0)
        #expect(s.failure(agent: "a", attempt: a1, message: "encoder failed", kind: .transient) == .requeue)
        let a2 = s.assign(to: "a", now: 1)
        #expect(s.failure(agent: "a", attempt: a2, message: "encoder failed", kind: .transient) == .requeue)
        let b = s.assign(to: "b", now: 2)
        #expect(s.failure(agent: "b", attempt: b, message: "encoder failed", kind: .transient)
            == .failJob(.init(kind: .transient, message: "encoder failed", agents: 2)))
    }

    @Test func differentTransientFailuresRetryUntilPoison() {
        var s = SegmentStateMachine()
        for (i, agent) in ["a", "b"].enumerated() {
            let n = s.assign(to: agent, now: 0)
            #expect(s.failure(agent: agent, attempt: n, message: "crash \(i)", kind: .transient) == .requeue)
        }
        let n = s.assign(to: "c", now: 0)
        #expect(s.failure(agent: "c", attempt: n, message: "crash 2", kind: .transient)
            == .failJob(.init(kind: .transient, message: "crash 2", agents: 3)))
    }
}
