import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// Revoking an agent key in the core: the agent is dropped at once, its lease goes back to the
/// queue and another agent finishes the segment; the key's later messages are refused.
@Suite("Dispatch core: revoked keys")
struct DispatchCoreRevokeTests {
    typealias Farm = DispatchCoreTests.Farm

    @Test func aRevokedAgentIsDroppedAtOnceAndItsSegmentFinishesElsewhere() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1, key: "K1")
        farm.join(2, key: "K2")
        let first = Farm.assigned(farm.on(.tick))
        #expect(first.count == 2)
        guard let held = first.first(where: { $0.agent == Farm.id(1) }) else { Issue.record("a1 got nothing: \(first)"); return }

        let revoked = farm.on(.revokeKey("K1"), at: 0.5)
        guard case .goodbye(let reason)? = DispatchCoreTests.replies(revoked, to: 1).first else { Issue.record("no goodbye: \(revoked)"); return }
        #expect(reason.contains("revoked"))
        #expect(revoked.contains { if case .record(.agentLeft(name: "a1", reason: "key revoked")) = $0 { true } else { false } })
        #expect(revoked.contains { if case .record(.requeued(job: "j", segment: held.segment, _)) = $0 { true } else { false } })
        #expect(farm.core.snapshot(now: 0.5).agents.map(\.name) == ["a2"])

        // a2 finishes its own segment, then gets a1's.
        let other = first.first { $0.agent == Farm.id(2) }!
        farm.result(2, segment: other.segment, attempt: other.attempt, key: "K2")
        let again = Farm.assigned(farm.on(.tick, at: 1))
        #expect(again.map(\.segment) == [held.segment])
        #expect(again.first?.agent == Farm.id(2))
        let done = farm.result(2, segment: held.segment, attempt: again[0].attempt, key: "K2")
        guard case .completed(let segments, _)? = farm.outcome(done) else { Issue.record("job not completed: \(done)"); return }
        #expect(segments.map(\.agent) == ["a2", "a2"])
    }

    @Test func aRevokedKeyIsRefusedUntilAllowedAgain() {
        var farm = Farm()
        farm.join(1, key: "K1")
        farm.on(.revokeKey("K1"))
        // The same CURVE session keeps sending: a heartbeat, then a new hello.
        let beat = farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [])), key: "K1")
        #expect(DispatchCoreTests.replies(beat, to: 1).contains { if case .goodbye = $0 { true } else { false } })
        let hello = farm.join(1, key: "K1", credit: false)
        #expect(!hello.contains { if case .send(_, .welcome) = $0 { true } else { false } })
        #expect(farm.core.agents.isEmpty)

        farm.on(.allowKey("K1"))
        let back = farm.join(1, key: "K1", credit: false)
        guard case .welcome(let w)? = DispatchCoreTests.replies(back, to: 1).first else { Issue.record("not welcomed: \(back)"); return }
        #expect(w.accepted)
    }

    /// A cancelled job's prefetched segment is dropped from its agent's queue without a word
    /// back (`AgentCore`: the coordinator gives the place back itself); that place was lost, so
    /// the agent never prefetched again.
    @Test func aCancelledJobsQueuedSegmentGivesItsPlaceBack() {
        var farm = Farm()
        farm.add(segments: 4)
        farm.join(1, slots: 1, prefetch: 1)
        let leased = Farm.assigned(farm.on(.tick))
        #expect(leased.count == 2, "one to run, one queued: \(leased)")
        farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: leased[0].segment, attempt: leased[0].attempt, frames: 2),
                                                             .init(job: "j", segment: leased[1].segment, attempt: leased[1].attempt, frames: 0, queued: true)])))
        _ = farm.on(.cancel(job: "j"), at: 1)
        #expect(farm.core.agents[Farm.id(1)]?.credits == 1, "the queued place is free again; the running one the agent asks for")
        farm.add("k", segments: 2)
        #expect(Farm.assigned(farm.on(.tick, at: 2)).count == 1)
    }

    /// An assignment lost on the way (the chaos runs' seed 38601), its job cancelled before the
    /// lease could stall: the agent waited with no credit and no work, the next job for good.
    /// Unlisted past the lease bound, the place comes back; listed running, the agent asks itself.
    @Test func aCancelledJobsLeaseNeverListedGivesItsPlaceBackAfterTheBound() {
        var timing = DispatchTiming()
        timing.leaseSeconds = 5
        var farm = Farm(timing: timing)
        farm.add(segments: 4)
        farm.join(1)
        farm.join(2)
        let leased = Farm.assigned(farm.on(.tick))
        #expect(leased.count == 2)
        guard leased.contains(where: { $0.agent == Farm.id(1) }), let arrived = leased.first(where: { $0.agent == Farm.id(2) }) else {
            Issue.record("\(leased)"); return
        }
        _ = farm.on(.cancel(job: "j"), at: 1)
        farm.add("k", segments: 4)
        // Leased at 0 s: the bound ends at 5 s.
        for t in stride(from: 1.5, through: 4.5, by: 1.0) {
            farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [])))
            farm.from(2, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: arrived.segment, attempt: arrived.attempt, frames: 1)])))
            #expect(Farm.assigned(farm.on(.tick, at: t)).isEmpty, "nothing yet at \(t) s: \(String(describing: farm.core.agents[Farm.id(1)]?.credits))")
        }
        farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [])))
        let after = Farm.assigned(farm.on(.tick, at: 5.5))
        #expect(after.map(\.agent) == [Farm.id(1)], "a1's place is back; a2 asks when it gives up its running copy: \(after)")
    }
}
