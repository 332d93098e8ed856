import Foundation

extension AxisTicks {
    /// Ticks of a logarithmic axis: the 1, 2, 5 × 10ⁿ values within `range` (given in the axis'
    /// own units, not their logarithms); every integer multiple of each decade when fewer than
    /// three of those fit (a narrow range).
    static func logValues(in range: ClosedRange<Double>) -> [Double] {
        guard range.lowerBound > 0, range.upperBound.isFinite else { return [] }
        let first = Int(floor(log10(range.lowerBound))), last = Int(ceil(log10(range.upperBound)))
        guard last - first < 40 else { return [] }
        let low = range.lowerBound * (1 - 1e-9), high = range.upperBound * (1 + 1e-9)
        func within(_ steps: [Double]) -> [Double] {
            var out: [Double] = []
            for e in first...last {
                let decade = pow(10, Double(e))
                for step in steps where step * decade >= low && step * decade <= high { out.append(step * decade) }
            }
            return out
        }
        let round = within([1, 2, 5])
        return round.count >= 3 ? round : within([1, 2, 3, 4, 5, 6, 7, 8, 9])
    }
}
