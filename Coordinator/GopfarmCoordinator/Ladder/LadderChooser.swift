import Foundation

/// Picks a title's rungs from its rate-quality hull.
///
/// 1. The span: from `bitrateFloor` (or the hull's cheapest encode, if dearer) up to the least
///    of `bitrateCeiling`, the hull's best encode, and the rate where the hull reaches
///    `qualityTarget`; past that more bits buy nothing visible. When that top lies below the
///    floor (a title so simple it reaches the target on a few dozen kbit/s), the ladder is one
///    rung at the top: the floor bounds the bottom of a ladder, it is no reason to spend bits.
/// 2. The count: the most rungs, at most `maxRungs`, that fit in the span with neighbours at
///    least `minRungRatio` apart in rate *and* `minQualityStep` apart in hull PSNR. Rungs are
///    placed evenly in log rate, or, if that breaks the quality step, evenly in PSNR; if
///    neither fits, one rung fewer. A flat hull (simple content, saturating early) spans few
///    dB, so it gets few rungs; a steep one (noise, motion) gets more. One rung always fits:
///    the top.
/// 3. Each rung: the resolution whose own measured curve, interpolated linearly in log rate,
///    gives the best PSNR at the rung's rate (among those measured at rates around it; else the
///    resolution of the hull vertex nearest in log rate), never larger than the rung above's
///    (players expect sizes to grow with rate). Its CRF is interpolated the same way between
///    the two encodes at that resolution whose rates bracket the rung's (the nearest one's CRF
///    outside them), to 0.1; its expected PSNR likewise. `maxrate` is the rung's rate (the
///    uncapped encode's average there), held under the ceiling.
public struct LadderChooser: Sendable {
    public var bitrateFloor = LadderDefaults.bitrateFloor
    public var bitrateCeiling = LadderDefaults.bitrateCeiling
    public var qualityTarget = LadderDefaults.qualityTarget
    public var minRungRatio = LadderDefaults.minRungRatio
    public var maxRungs = LadderDefaults.maxRungs
    public var minQualityStep = LadderDefaults.minQualityStep

    public init() {}

    /// The ladder for these probe encodes, highest rung first; empty when no point is usable.
    public func choose(points: [ProbePoint]) -> [ChosenRung] {
        let hull = RateQualityHull(points)
        let usable = points.filter(\.isUsable)
        var rungs: [ChosenRung] = []
        var aboveHeight = Int.max
        for rate in rates(on: hull).reversed() {
            guard let e = hull.edge(containing: rate) else { continue }
            let nearest = e.fraction <= 0.5 ? e.lower : e.upper
            var size = (width: nearest.width, height: nearest.height)
            let measured = Self.sizes(of: usable).filter { $0.height <= aboveHeight }
                .compactMap { s in Self.interpolate(at: rate, width: s.width, height: s.height, in: usable).map { (s, $0) } }
            if let best = measured.max(by: { $0.1.psnr < $1.1.psnr }) { size = best.0 }
            if size.height > aboveHeight, let above = rungs.last { size = (above.width, above.height) }
            let at = Self.interpolate(at: rate, width: size.width, height: size.height, in: usable, clamp: true)
            let cap = min(rate, max(bitrateCeiling, bitrateFloor))
            rungs.append(ChosenRung(width: size.width, height: size.height, maxrate: Int(cap.rounded()),
                                    crf: ((at?.crf ?? nearest.crf) * 10).rounded() / 10,
                                    expectedPSNR: at?.psnr ?? hull.quality(atBitrate: rate) ?? nearest.psnr))
            aboveHeight = size.height
        }
        return rungs
    }

    /// The probe's resolutions, largest first.
    private static func sizes(of points: [ProbePoint]) -> [(width: Int, height: Int)] {
        var seen = Set<[Int]>()
        return points.sorted { $0.height > $1.height }.compactMap { seen.insert([$0.width, $0.height]).inserted ? ($0.width, $0.height) : nil }
    }

    /// The rungs' rates on the hull, ascending.
    func rates(on hull: RateQualityHull) -> [Double] {
        guard let range = hull.rateRange else { return [] }
        var top = min(bitrateCeiling, range.upperBound)
        if let saturated = hull.bitrate(atQuality: qualityTarget) { top = min(top, saturated) }
        let bottom = max(bitrateFloor, range.lowerBound)
        // A title that reaches the quality target below the floor needs one rung, at that rate:
        // raising it to the floor would only spend bits where nothing more is visible.
        guard bottom < top else { return [max(top, range.lowerBound)] }
        guard minRungRatio > 1, maxRungs > 1 else { return [top] }
        let fit = Int((log(top / bottom) / log(minRungRatio) + 1e-9).rounded(.down)) + 1
        var n = min(maxRungs, fit)
        while n >= 2 {
            let evenRate = (0..<n).map { bottom * pow(top / bottom, Double($0) / Double(n - 1)) }
            if fits(evenRate, hull) { return evenRate }
            if let low = hull.quality(atBitrate: bottom), let high = hull.quality(atBitrate: top) {
                let evenQuality = (0..<n).compactMap { hull.bitrate(atQuality: low + (high - low) * Double($0) / Double(n - 1)) }
                if evenQuality.count == n, fits(evenQuality, hull) { return evenQuality }
            }
            n -= 1
        }
        return [top]
    }

    /// Whether neighbouring rates keep both the rate ratio and the quality step.
    private func fits(_ rates: [Double], _ hull: RateQualityHull) -> Bool {
        let q = rates.map { hull.quality(atBitrate: $0) ?? -.infinity }
        for i in rates.indices.dropFirst() {
            guard rates[i] >= rates[i - 1] * minRungRatio * (1 - 1e-9), q[i] - q[i - 1] >= minQualityStep - 1e-9 else { return false }
        }
        return true
    }

    /// CRF and PSNR at `rate` on one resolution's measured curve, linear in log rate between the
    /// encodes that bracket it; outside them, nil, or with `clamp` the nearest encode's.
    static func interpolate(at rate: Double, width: Int, height: Int, in points: [ProbePoint],
                            clamp: Bool = false) -> (crf: Double, psnr: Double)? {
        let curve = points.filter { $0.width == width && $0.height == height }.sorted { $0.bitrate < $1.bitrate }
        guard let first = curve.first, let last = curve.last else { return nil }
        if rate <= first.bitrate { return clamp || rate >= first.bitrate * (1 - 1e-9) ? (first.crf, first.psnr) : nil }
        if rate >= last.bitrate { return clamp || rate <= last.bitrate * (1 + 1e-9) ? (last.crf, last.psnr) : nil }
        for (a, b) in zip(curve, curve.dropFirst()) where rate <= b.bitrate {
            guard b.bitrate > a.bitrate else { return (b.crf, b.psnr) }
            let t = (log10(rate) - log10(a.bitrate)) / (log10(b.bitrate) - log10(a.bitrate))
            return (a.crf + t * (b.crf - a.crf), a.psnr + t * (b.psnr - a.psnr))
        }
        return (last.crf, last.psnr)
    }
}
