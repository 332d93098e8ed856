import GopfarmBench
import GopfarmCoordinator
import Testing
import GopfarmCommon

@Suite("Bench figures from job timings")
struct BenchFiguresTests {
    @Test func phasesOfAJob() {
        // 4 segments of 10 s on 2 agents: two rounds, dispatch 0.5 → 20.5 s.
        let f = BenchFigures(timings: BenchFixture.timings(agents: 2), agents: 2)
        #expect(abs(f.makespan - 22) < 1e-9)  // dispatch end 20.5 + stitch 1 + analysis 0.5
        #expect(abs(f.split - 0.54) < 1e-9)   // probe 0.3 + plan 0.2 + 4 × 0.01 extraction
        #expect(abs(f.encode - 19.96) < 1e-9) // dispatch 20 less the extraction counted under split
        #expect(abs(f.other - 0) < 1e-9)
        #expect(abs(f.serial - 2.04) < 1e-9)
        #expect(abs(f.busy - 40) < 1e-9)
        #expect(f.wasted == 0)
        #expect(abs((f.utilization ?? 0) - 1) < 1e-9)
        #expect(f.bytesOnLinks == 6_000_000)
        #expect(f.segments == 4 && f.attempts == 4)
    }

    @Test func idleSlotsLowerUtilization() {
        // 3 segments on 2 agents: the second round keeps one agent only.
        let f = BenchFigures(timings: BenchFixture.timings(agents: 2, segments: 3), agents: 2)
        #expect(abs((f.utilization ?? 0) - 0.75) < 1e-9)
        // The same job counted for 4 allowed agents: half of them never worked.
        #expect(abs((BenchFigures(timings: BenchFixture.timings(agents: 2), agents: 4).utilization ?? 0) - 0.5) < 1e-9)
    }

    @Test func supersededMovedAndUnreportedAttempts() {
        var t = BenchFixture.timings(agents: 2)
        // A speculative copy that lost after 3 s of work, a prefetched segment that moved before
        // it started, and a failed attempt whose agent reported nothing (its lease's span counts).
        t.attempts.append(SegmentAttemptTiming(segment: 3, attempt: 2, agent: "agent-3", speculative: true, outcome: "superseded",
                                               assigned: 17, ended: 20.5, extractSeconds: 0.01, sentBytes: 1_000_000,
                                               decodeSeconds: 1, encodeSeconds: 2))
        t.attempts.append(SegmentAttemptTiming(segment: 2, attempt: 2, agent: "agent-2", speculative: false, outcome: "moved",
                                               assigned: 0.5, ended: 9, extractSeconds: 0.01, sentBytes: 1_000_000))
        t.attempts.append(SegmentAttemptTiming(segment: 1, attempt: 2, agent: "agent-3", speculative: false, outcome: "failed",
                                               assigned: 1, ended: 2.5, extractSeconds: 0.01, sentBytes: 1_000_000))
        let f = BenchFigures(timings: t, agents: 2)
        #expect(abs(f.busy - 44.5) < 1e-9)
        #expect(abs(f.wasted - 4.5) < 1e-9)
        #expect(f.attempts == 7 && f.segments == 4)
        #expect(f.bytesOnLinks == 9_000_000)
    }

    @Test func workIsCappedByTheAgentsOwnTimeline() {
        // Two segments prefetched at once on one agent, the second's analysis reported beside its
        // encoder (decode 1 + encode 0 + analysis 12 = 13 s of a 10 s run after the first ended).
        let attempts = [
            SegmentAttemptTiming(segment: 0, attempt: 1, agent: "a", speculative: false, outcome: "done", assigned: 0, ended: 10,
                                 extractSeconds: 0, sentBytes: 1, decodeSeconds: 1, encodeSeconds: 8, analysisSeconds: 0.5),
            SegmentAttemptTiming(segment: 1, attempt: 1, agent: "a", speculative: false, outcome: "done", assigned: 0, ended: 20,
                                 extractSeconds: 0, sentBytes: 1, decodeSeconds: 1, encodeSeconds: 0, analysisSeconds: 12),
        ]
        #expect(BenchFigures.work(attempts) == [0.5...10, 10...20])
        let t = JobTimings(dispatchStart: 0, dispatchEnd: 20, attempts: attempts)
        #expect(abs((BenchFigures(timings: t, agents: 1).utilization ?? 0) - 19.5 / 20) < 1e-12)
    }

    @Test func linkCountersAndMissingPhases() {
        let counted = BenchFigures(timings: BenchFixture.timings(agents: 1), agents: 1, linkBytes: 123)
        #expect(counted.bytesOnLinks == 123)
        // A job view without a dispatch end (an older coordinator): the view's own dates stand in.
        let bare = BenchFigures(timings: JobTimings(), agents: 2, elapsed: 7)
        #expect(bare.makespan == 7 && bare.utilization == nil && bare.busy == 0 && bare.other == 7)
    }
}
