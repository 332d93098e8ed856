@testable import GopfarmCoordinator
import Testing

@Suite("Segment state machine")
struct SegmentStateMachineTests {
    @Test func leaseResultDone() {
        var s = SegmentStateMachine()
        #expect(s.isPending)
        let attempt = s.assign(to: "a", now: 0, leaseSeconds: 10)
        #expect(attempt == 1)
        #expect(s.decideResult(agent: "a", attempt: 1) == .accept)
        s.accept(agent: "a", attempt: 1)
        #expect(s.isDone)
        #expect(s.decideResult(agent: "a", attempt: 1) == .reject("segment already done"))
    }

    @Test func expiryRequeuesAndALateResultIsAcceptedOnce() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0, leaseSeconds: 10)
        s.extend(agent: "a", attempt: 1, now: 8, leaseSeconds: 10)
        let early = s.checkExpiry(now: 15)  // extended to 18
        #expect(early.isEmpty)
        let late = s.checkExpiry(now: 19)
        #expect(late.map(\.agent) == ["a"])
        #expect(s.isPending && s.requeues == 1)
        _ = s.assign(to: "b", now: 20, leaseSeconds: 10)
        // a's late result of attempt 1 is still valid and wins…
        #expect(s.decideResult(agent: "a", attempt: 1) == .accept)
        s.accept(agent: "a", attempt: 1)
        // …and b's result afterwards is ignored.
        #expect(s.decideResult(agent: "b", attempt: 2) == .reject("segment already done"))
    }

    @Test func aResultForALeaseNeverHeldIsRejected() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0, leaseSeconds: 10)
        #expect(s.decideResult(agent: "mallory", attempt: 1) != .accept)
        #expect(s.decideResult(agent: "a", attempt: 7) != .accept)
    }

    @Test func poisonAfterThreeAgents() {
        var s = SegmentStateMachine()
        for agent in ["a", "b"] {
            let n = s.assign(to: agent, now: 0, leaseSeconds: 10)
            #expect(s.failure(agent: agent, attempt: n, message: "boom", permanent: false) == .requeue)
        }
        let n = s.assign(to: "c", now: 0, leaseSeconds: 10)
        #expect(s.failure(agent: "c", attempt: n, message: "boom", permanent: false) == .failJob("boom"))
    }

    @Test func permanentFailureFailsAtOnceAndLostAgentsRequeue() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0, leaseSeconds: 10)
        let stranger = s.agentLost("b")
        #expect(!stranger)
        let holder = s.agentLost("a")
        #expect(holder)
        let n = s.assign(to: "b", now: 0, leaseSeconds: 10)
        #expect(s.failure(agent: "b", attempt: n, message: "bad option", permanent: true) == .failJob("bad option"))
    }

    @Test func aSingleAgentCannotRetryForever() {
        var s = SegmentStateMachine()
        var last = SegmentStateMachine.FailureDecision.ignore
        for _ in 0..<SegmentStateMachine.maxFailures {
            let n = s.assign(to: "only", now: 0, leaseSeconds: 10)
            last = s.failure(agent: "only", attempt: n, message: "boom", permanent: false)
        }
        #expect(last == .failJob("boom"))
    }

    @Test func aSpeculativeReRunRacesTheFirstLeaseAndTheFirstValidResultWins() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "slow", now: 0, leaseSeconds: 100)
        let second = s.assign(to: "fast", now: 30, leaseSeconds: 100)
        #expect(s.leases.count == 2)
        // The fast one failing leaves the slow one running.
        #expect(s.failure(agent: "fast", attempt: second, message: "boom", permanent: false) == .keepRunning)
        let third = s.assign(to: "fast", now: 40, leaseSeconds: 100)
        let losers = s.accept(agent: "fast", attempt: third)
        #expect(losers.map(\.agent) == ["slow"])
        #expect(s.decideResult(agent: "slow", attempt: 1) == .reject("segment already done"))
    }

    @Test func losingOneOfTwoLeasesKeepsTheSegmentRunning() {
        var s = SegmentStateMachine()
        _ = s.assign(to: "a", now: 0, leaseSeconds: 10)
        _ = s.assign(to: "b", now: 5, leaseSeconds: 10)
        let becamePending = s.agentLost("a")
        #expect(!becamePending && !s.isPending)
        let expired = s.checkExpiry(now: 16)
        #expect(expired.map(\.agent) == ["b"])
        #expect(s.isPending)
    }

    @Test func aRepeatedFailureOfOneAttemptCountsOnce() {
        var s = SegmentStateMachine()
        let n = s.assign(to: "a", now: 0, leaseSeconds: 10)
        #expect(s.failure(agent: "a", attempt: n, message: "boom", permanent: false) == .requeue)
        for _ in 0..<10 {
            #expect(s.failure(agent: "a", attempt: n, message: "boom", permanent: false) == .ignore)
        }
        #expect(s.failures == 1 && s.isPending)
    }
}
