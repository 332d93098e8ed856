@testable import GopfarmCommon
import Testing

/// The probe's progress is said once per percent, never backwards, never past 100 %.
@Suite("ProgressSteps")
struct ProgressStepsTests {
    @Test("once per percent, rising, clamped")
    func oncePerPercent() {
        var steps = ProgressSteps()
        let fractions = [0.001, 0.004, 0.011, 0.0115, 0.5, 0.3, 0.999, 1.0, 1.7]
        #expect(fractions.compactMap { steps.next($0) } == [0.01, 0.5, 0.99, 1.0])
    }
}
