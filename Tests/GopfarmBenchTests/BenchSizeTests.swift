import GopfarmBench
import GopfarmCoordinator
import Testing

@Suite("Bench rows: medians, speedup, efficiency")
struct BenchSizeTests {
    @Test func strongScalingRelativeToTheSmallestSize() throws {
        let result = BenchFixture.result([1, 2, 4])
        let rows = result.sizes
        #expect(rows.map(\.agents) == [1, 2, 4])
        #expect(result.baseline == 1)
        // Makespans 42, 22, 12 s (4 segments of 10 s in 4, 2, 1 rounds, plus 2 s).
        #expect(rows.map(\.makespan) == [42, 22, 12])
        #expect(abs(rows[1].speedup - 42.0 / 22) < 1e-12 && abs(rows[2].speedup - 3.5) < 1e-12)
        #expect(abs(rows[2].efficiency - 3.5 / 4) < 1e-12)
        #expect(rows[0].speedup == 1 && rows[0].efficiency == 1)
        let fit = try #require(result.amdahl)
        #expect(abs(fit.serialFraction - 2.04 / 42) < 1e-12)
        #expect(rows[2].amdahlSpeedup == fit.speedup(agents: 4))
        #expect(rows.allSatisfy { $0.psnr == 41.5 && $0.outputBytes == 2_000_000 && $0.runs == 1 })
    }

    @Test func efficiencyIsScaledWhenTheBaselineIsNotOne() {
        let rows = BenchFixture.result([2, 4]).sizes
        #expect(rows[0].agents == 2 && rows[0].efficiency == 1)
        #expect(abs(rows[1].speedup - 22.0 / 12) < 1e-12)
        #expect(abs(rows[1].efficiency - (22.0 / 12) * 2 / 4) < 1e-12)
    }

    @Test func mediansOfRepeatedRunsAndTheRepresentativeJob() {
        var runs: [BenchRun] = []
        for (round, perSegment) in [10.0, 30, 11].enumerated() {
            runs.append(BenchFixture.run(agents: 1, round: round + 1, timings: BenchFixture.timings(agents: 1, perSegment: perSegment)))
        }
        let rows = BenchSize.summarize(runs).sizes
        #expect(rows.count == 1 && rows[0].runs == 3)
        #expect(rows[0].makespan == 46)  // median of 42, 122, 46
        #expect(rows[0].representativeRun == 2)
        #expect(BenchSize.median([4, 1, 3, 2]) == 2.5 && BenchSize.median([]) == 0)
    }

    @Test func weakScalingIsAThroughputRatio() {
        // Twice the frames on twice the agents in the same time: speedup 2, efficiency 1.
        let one = BenchFixture.run(agents: 1, timings: BenchFixture.timings(agents: 1, segments: 2), frames: 500, seconds: 20)
        let two = BenchFixture.run(agents: 2, timings: BenchFixture.timings(agents: 2, segments: 4), frames: 1000, seconds: 40)
        let rows = BenchSize.summarize([one, two]).sizes
        #expect(abs(rows[1].speedup - 2) < 1e-12 && abs(rows[1].efficiency - 1) < 1e-12)
    }

    @Test func agentListsParse() throws {
        #expect(try BenchPlan.parseAgentCounts("1,2,4,8") == [1, 2, 4, 8])
        #expect(try BenchPlan.parseAgentCounts("4, 1,2,2") == [1, 2, 4])
        for bad in ["", "0", "1,,2", "two", "1,2000", "-1"] {
            #expect(throws: BenchError.self) { try BenchPlan.parseAgentCounts(bad) }
        }
        let weak = BenchPlan(agentCounts: [1, 2, 4], scaling: .weak, settings: BenchFixture.settings)
        #expect(weak.inputShare(agents: 1) == 0.25 && weak.inputShare(agents: 4) == 1)
        #expect(BenchPlan(agentCounts: [1, 2], settings: BenchFixture.settings).inputShare(agents: 1) == 1)
    }
}
