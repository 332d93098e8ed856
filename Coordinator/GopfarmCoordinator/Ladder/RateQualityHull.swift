import Foundation

/// The title's rate-quality frontier: the upper convex hull of every probe point, across
/// resolutions, in (log₁₀ bitrate, PSNR) space, cut at its highest PSNR.
///
/// Each vertex is a measured encode (its resolution and CRF kept); a point under the hull is
/// beaten by a mix of two encodes on it, and a point past the peak costs more for less, so both
/// are dropped. What remains rises with the rate and flattens (concave): each extra bit buys no
/// more quality than the one before. Which resolution wins where is what the ladder needs:
/// low rates favour small pictures, high rates large ones.
public struct RateQualityHull: Sendable, Equatable {
    /// The vertices: ascending bitrate, strictly ascending PSNR.
    public let points: [ProbePoint]

    /// Points with no rate or an infinite PSNR (lossless) are ignored.
    public init(_ probe: [ProbePoint]) {
        // Left to right; of points at the same rate only the best can be on the hull.
        let sorted = probe.filter(\.isUsable).sorted { a, b in
            a.bitrate != b.bitrate ? a.bitrate < b.bitrate : a.psnr > b.psnr
        }
        var hull: [ProbePoint] = []
        for p in sorted {
            if let last = hull.last, last.bitrate == p.bitrate { continue }
            // Drop the last vertex while it lies on or under the chord from the one before it to p.
            while hull.count >= 2, Self.cross(hull[hull.count - 2], hull[hull.count - 1], p) >= 0 {
                hull.removeLast()
            }
            hull.append(p)
        }
        // The upper hull rises then falls; the Pareto frontier ends at its peak.
        if let peak = hull.indices.max(by: { hull[$0].psnr < hull[$1].psnr || (hull[$0].psnr == hull[$1].psnr && $0 > $1) }) {
            hull.removeSubrange((peak + 1)...)
        }
        points = hull
    }

    /// > 0 when b is above the chord a→c (a left turn seen from a upper hull's point of view).
    private static func cross(_ a: ProbePoint, _ b: ProbePoint, _ c: ProbePoint) -> Double {
        let (ax, bx, cx) = (log10(a.bitrate), log10(b.bitrate), log10(c.bitrate))
        return (bx - ax) * (c.psnr - a.psnr) - (b.psnr - a.psnr) * (cx - ax)
    }

    public var isEmpty: Bool { points.isEmpty }

    /// The rates the hull spans, from its cheapest to its best encode.
    public var rateRange: ClosedRange<Double>? {
        guard let first = points.first, let last = points.last else { return nil }
        return first.bitrate...last.bitrate
    }

    /// PSNR on the hull at `bitrate`, linear in log rate between vertices; nil outside the hull.
    public func quality(atBitrate bitrate: Double) -> Double? {
        guard let e = edge(containing: bitrate) else { return nil }
        return e.lower.psnr + e.fraction * (e.upper.psnr - e.lower.psnr)
    }

    /// The least rate at which the hull reaches `psnr`; nil above the hull's best.
    public func bitrate(atQuality psnr: Double) -> Double? {
        guard let first = points.first, let last = points.last, psnr <= last.psnr else { return nil }
        if psnr <= first.psnr { return first.bitrate }
        for (a, b) in zip(points, points.dropFirst()) where psnr <= b.psnr {
            let t = (psnr - a.psnr) / (b.psnr - a.psnr)
            return pow(10, log10(a.bitrate) + t * (log10(b.bitrate) - log10(a.bitrate)))
        }
        return last.bitrate
    }

    /// The hull edge that spans `bitrate`, and how far along it (in log rate) the rate lies.
    /// A one-point hull is an edge of length zero at its own rate.
    func edge(containing bitrate: Double) -> (lower: ProbePoint, upper: ProbePoint, fraction: Double)? {
        guard let first = points.first, let last = points.last, bitrate > 0,
              bitrate >= first.bitrate * (1 - 1e-9), bitrate <= last.bitrate * (1 + 1e-9) else { return nil }
        if points.count == 1 { return (first, first, 0) }
        let x = log10(bitrate)
        for (a, b) in zip(points, points.dropFirst()) where bitrate <= b.bitrate {
            let t = (x - log10(a.bitrate)) / (log10(b.bitrate) - log10(a.bitrate))
            return (a, b, min(1, max(0, t)))
        }
        let a = points[points.count - 2]
        return (a, last, 1)
    }
}
