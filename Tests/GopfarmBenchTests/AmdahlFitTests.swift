import GopfarmBench
import Testing

@Suite("Amdahl fit")
struct AmdahlFitTests {
    @Test func serialFractionFromMeasuredTimes() throws {
        let fit = try #require(AmdahlFit(baseline: 1, serialSeconds: 2, makespan: 20))
        #expect(abs(fit.serialFraction - 0.1) < 1e-12)
        #expect(abs(fit.speedup(agents: 1) - 1) < 1e-12)
        #expect(abs(fit.speedup(agents: 2) - 1 / 0.55) < 1e-12)
        #expect(abs(fit.speedup(agents: 8) - 1 / (0.1 + 0.9 / 8)) < 1e-12)
        #expect(abs(fit.ceiling - 10) < 1e-9)
        #expect(fit.speedup(agents: 1_000_000) < fit.ceiling)
    }

    @Test func relativeToALargerBaseline() throws {
        let fit = try #require(AmdahlFit(baseline: 2, serialSeconds: 1, makespan: 10))
        #expect(abs(fit.speedup(agents: 2) - 1) < 1e-12)
        #expect(abs(fit.speedup(agents: 4) - 1 / (0.1 + 0.9 * 2 / 4)) < 1e-12)
    }

    @Test func degenerateInputs() {
        #expect(AmdahlFit(baseline: 1, serialSeconds: 1, makespan: 0) == nil)
        let none = AmdahlFit(baseline: 1, serialFraction: 0)
        #expect(none.ceiling == .infinity && abs(none.speedup(agents: 8) - 8) < 1e-12)
        #expect(AmdahlFit(baseline: 1, serialSeconds: 30, makespan: 20)?.serialFraction == 1)
    }
}
