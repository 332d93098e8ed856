import Foundation

/// Where a plot's axis gets its ticks: at round values (1, 2, 5 × 10ⁿ), and on time axises longer
/// than two minutes at round clock intervals (15 s, 1 min, 5 min, 1 h…).
enum AxisTicks {
    static func values(in range: ClosedRange<Double>, about count: Int) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite, count > 0 else { return [range.lowerBound] }
        let rough = span / Double(count)
        let magnitude = pow(10, floor(log10(rough)))
        // The round step whose tick count comes closest to the one asked for.
        let step = [0.5, 1, 2, 2.5, 5, 10].map { $0 * magnitude }.min { abs(span / $0 - Double(count)) < abs(span / $1 - Double(count)) }!
        return ticks(in: range, step: step)
    }

    static func times(in range: ClosedRange<Double>, about count: Int) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 120 else { return values(in: range, about: count) }
        let rough = span / Double(max(1, count))
        let steps: [Double] = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        return ticks(in: range, step: steps.first { $0 >= rough } ?? (rough / 86400).rounded(.up) * 86400)
    }

    /// True when the time axis over `range` is labelled as a clock (`m:ss`) rather than seconds.
    static func isClock(_ range: ClosedRange<Double>) -> Bool { range.upperBound - range.lowerBound > 120 }

    private static func ticks(in range: ClosedRange<Double>, step: Double) -> [Double] {
        // Each tick a whole multiple of the step (adding 0.2 three times gives 0.6000000000000001).
        var out: [Double] = []
        var k = (range.lowerBound / step).rounded(.up)
        while k * step <= range.upperBound + step * 1e-9 && out.count < 100 {
            out.append(k == 0 ? 0 : k * step)
            k += 1
        }
        return out
    }
}
