/// Amdahl's law with the serial fraction measured, not fitted: at the baseline size N₀ the
/// coordinator's own work (split, stitch with audio, analysis merge) is `f` of the makespan, and
/// only the rest divides over the agents, so relative to N₀
///
///     S(N) = 1 / (f + (1 − f) · N₀ / N)
///
/// The same curve holds for weak scaling when the serial work grows with the input as the
/// parallel work does (split and stitch are remuxes of the whole input): the input's growth
/// cancels out of the throughput ratio. The queueing and store writes between phases
/// (`BenchFigures.other`) are not counted as serial; the measured points show what they cost.
public struct AmdahlFit: Codable, Sendable, Equatable {
    public static let formula = "S(N) = 1 / (f + (1 − f) · N₀ / N), f = (split + stitch + analysis) / makespan at N₀"

    /// The size speedups are relative to (the smallest measured).
    public var baseline: Int
    public var serialFraction: Double

    public init(baseline: Int, serialFraction: Double) {
        self.baseline = baseline
        self.serialFraction = serialFraction
    }

    /// From the baseline's median serial seconds and makespan; nil without a makespan.
    public init?(baseline: Int, serialSeconds: Double, makespan: Double) {
        guard makespan > 0, serialSeconds >= 0, serialSeconds.isFinite else { return nil }
        self.init(baseline: baseline, serialFraction: min(1, serialSeconds / makespan))
    }

    /// The speedup the model predicts at `n` agents, relative to the baseline.
    public func speedup(agents n: Int) -> Double { speedup(agents: Double(n)) }

    /// The same for any positive N (to draw the curve between sizes).
    public func speedup(agents n: Double) -> Double {
        let f = serialFraction
        return 1 / (f + (1 - f) * Double(baseline) / max(n, 1e-9))
    }

    /// The limit as N grows: 1 / f.
    public var ceiling: Double { serialFraction > 0 ? 1 / serialFraction : .infinity }
}
