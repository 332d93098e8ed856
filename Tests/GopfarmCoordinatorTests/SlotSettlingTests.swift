import GopfarmCoordinator
import Testing

/// When a job that found no agent is planned: observations in, the decision checked each time.
@Suite("SlotSettling")
struct SlotSettlingTests {
    @Test func agentsThereAtTheFirstLookPlanAtOnce() {
        var s = SlotSettling()
        #expect(s.observe(slots: 4, agents: 2, maxAgents: nil, now: 0) == .plan(slots: 4))
    }

    @Test func noAgentWaitsHoweverLongThenTheFleetSettles() {
        var s = SlotSettling(settleSeconds: 2, maxSeconds: 10)
        for t in stride(from: 0.0, through: 600, by: 60) {
            #expect(s.observe(slots: 0, agents: 0, maxAgents: nil, now: t) == .wait)
        }
        // Agents arrive one after another: each change restarts the settle time.
        #expect(s.observe(slots: 1, agents: 1, maxAgents: nil, now: 700) == .wait)
        #expect(s.observe(slots: 2, agents: 2, maxAgents: nil, now: 701) == .wait)
        #expect(s.observe(slots: 3, agents: 3, maxAgents: nil, now: 702.5) == .wait)
        #expect(s.observe(slots: 3, agents: 3, maxAgents: nil, now: 704) == .wait)
        #expect(s.observe(slots: 3, agents: 3, maxAgents: nil, now: 704.5) == .plan(slots: 3))
    }

    @Test func aFleetThatKeepsChangingIsPlannedAfterTheLongestWait() {
        var s = SlotSettling(settleSeconds: 2, maxSeconds: 10)
        #expect(s.observe(slots: 0, agents: 0, maxAgents: nil, now: 0) == .wait)
        var decision = SlotSettling.Decision.wait
        var t = 1.0, n = 1
        while decision == .wait, t < 30 {
            decision = s.observe(slots: n, agents: n, maxAgents: nil, now: t)
            t += 1
            n += 1
        }
        #expect(decision == .plan(slots: 11))  // first agent at 1 s, planned at 11 s
    }

    @Test func enoughAgentsForTheLimitPlanWithoutSettling() {
        var s = SlotSettling()
        #expect(s.observe(slots: 0, agents: 0, maxAgents: 2, now: 0) == .wait)
        #expect(s.observe(slots: 1, agents: 1, maxAgents: 2, now: 1) == .wait)
        #expect(s.observe(slots: 2, agents: 2, maxAgents: 2, now: 1.2) == .plan(slots: 2))
    }

    @Test func agentsThatLeaveBeforeSettlingStartTheWaitAgain() {
        var s = SlotSettling(settleSeconds: 2, maxSeconds: 10)
        #expect(s.observe(slots: 0, agents: 0, maxAgents: nil, now: 0) == .wait)
        #expect(s.observe(slots: 1, agents: 1, maxAgents: nil, now: 1) == .wait)
        #expect(s.observe(slots: 0, agents: 0, maxAgents: nil, now: 2) == .wait)
        #expect(s.observe(slots: 2, agents: 1, maxAgents: nil, now: 20) == .wait)
        #expect(s.observe(slots: 2, agents: 1, maxAgents: nil, now: 22) == .plan(slots: 2))
    }
}
