import Foundation

extension BDRate {
    /// The rate change at one quality, for a ladder of a single rung (a title so simple that one
    /// rung reaches the quality target): `test`'s rate against the `anchor` curve's rate at the
    /// same quality (log rate interpolated linearly between the anchor's points). nil when the
    /// anchor has fewer than 2 usable points or does not reach that quality.
    public static func percent(anchor: [(rate: Double, quality: Double)], at test: (rate: Double, quality: Double)) -> Double? {
        let points = anchor.filter { $0.rate > 0 && $0.rate.isFinite && $0.quality.isFinite }.sorted { $0.quality < $1.quality }
        guard points.count >= 2, test.rate > 0, let first = points.first, let last = points.last,
              (first.quality...last.quality).contains(test.quality) else { return nil }
        for (a, b) in zip(points, points.dropFirst()) where (a.quality...b.quality).contains(test.quality) {
            let f = b.quality > a.quality ? (test.quality - a.quality) / (b.quality - a.quality) : 0
            let logRate = log10(a.rate) + f * (log10(b.rate) - log10(a.rate))
            return (test.rate / pow(10, logRate) - 1) * 100
        }
        return nil
    }
}
