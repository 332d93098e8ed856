import Foundation

/// Bjøntegaard delta rate (VCEG-M33), as modern tools compute it: the average difference in
/// rate between two rate-quality curves at equal quality.
///
/// Each curve is log₁₀(rate) as a function of quality, interpolated piecewise-cubic with
/// monotone slopes (PCHIP, Fritsch–Carlson, as SciPy's `PchipInterpolator` and the `bjontegaard`
/// package's default) rather than VCEG-M33's one cubic polynomial, which overshoots between
/// widely spaced points. Both are integrated over the quality interval the curves share; the
/// mean difference d gives (10^d − 1) × 100 %. Negative: the test curve needs fewer bits for the
/// same quality.
public enum BDRate {
    /// Percent rate change of `test` against `anchor` over their common quality interval; nil
    /// when either has fewer than 2 usable points (positive finite rate, finite quality) or the
    /// intervals do not overlap.
    public static func percent(anchor: [(rate: Double, quality: Double)], test: [(rate: Double, quality: Double)]) -> Double? {
        guard let a = Curve(anchor), let t = Curve(test) else { return nil }
        let low = max(a.q[0], t.q[0]), high = min(a.q[a.q.count - 1], t.q[t.q.count - 1])
        guard high > low else { return nil }
        let mean = (t.integral(from: low, to: high) - a.integral(from: low, to: high)) / (high - low)
        return (pow(10, mean) - 1) * 100
    }

    /// log₁₀(rate) over quality as a PCHIP interpolant.
    struct Curve {
        /// Strictly ascending quality.
        let q: [Double]
        let logRate: [Double]
        let slopes: [Double]

        /// Points at equal quality are merged (their log rates averaged): quality is the
        /// interpolant's argument and must strictly increase.
        init?(_ points: [(rate: Double, quality: Double)]) {
            let usable = points.filter { $0.rate > 0 && $0.rate.isFinite && $0.quality.isFinite }.sorted { $0.quality < $1.quality }
            var q: [Double] = [], y: [Double] = [], n: [Double] = []
            for p in usable {
                if let last = q.last, last == p.quality {
                    y[y.count - 1] += log10(p.rate)
                    n[n.count - 1] += 1
                } else {
                    q.append(p.quality)
                    y.append(log10(p.rate))
                    n.append(1)
                }
            }
            guard q.count >= 2 else { return nil }
            self.q = q
            self.logRate = zip(y, n).map { $0 / $1 }
            self.slopes = Self.pchipSlopes(x: q, y: logRate)
        }

        /// Fritsch–Carlson slopes with SciPy's end conditions (a three-point estimate, kept
        /// monotone).
        static func pchipSlopes(x: [Double], y: [Double]) -> [Double] {
            let count = x.count
            let h = (0..<(count - 1)).map { x[$0 + 1] - x[$0] }
            let d = (0..<(count - 1)).map { (y[$0 + 1] - y[$0]) / h[$0] }
            if count == 2 { return [d[0], d[0]] }
            var m = [Double](repeating: 0, count: count)
            for k in 1..<(count - 1) {
                guard d[k - 1] * d[k] > 0 else { continue }
                let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
                m[k] = (w1 + w2) / (w1 / d[k - 1] + w2 / d[k])
            }
            m[0] = edge(h0: h[0], h1: h[1], d0: d[0], d1: d[1])
            m[count - 1] = edge(h0: h[count - 2], h1: h[count - 3], d0: d[count - 2], d1: d[count - 3])
            return m
        }

        private static func edge(h0: Double, h1: Double, d0: Double, d1: Double) -> Double {
            let m = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
            if m.sign != d0.sign || m == 0 || d0 == 0 { return 0 }
            if d0.sign != d1.sign, abs(m) > 3 * abs(d0) { return 3 * d0 }
            return m
        }

        /// ∫ log₁₀(rate) dq over [from, to] (inside the curve's range). Simpson's rule on each
        /// piece's share is exact for a cubic.
        func integral(from: Double, to: Double) -> Double {
            var sum = 0.0
            for k in 0..<(q.count - 1) {
                let a = max(from, q[k]), b = min(to, q[k + 1])
                guard b > a else { continue }
                sum += (b - a) / 6 * (value(a, k) + 4 * value((a + b) / 2, k) + value(b, k))
            }
            return sum
        }

        /// The cubic Hermite piece `k` at `x`.
        private func value(_ x: Double, _ k: Int) -> Double {
            let h = q[k + 1] - q[k], t = (x - q[k]) / h
            let t2 = t * t, t3 = t2 * t
            return (2 * t3 - 3 * t2 + 1) * logRate[k] + (t3 - 2 * t2 + t) * h * slopes[k]
                + (-2 * t3 + 3 * t2) * logRate[k + 1] + (t3 - t2) * h * slopes[k + 1]
        }
    }
}
