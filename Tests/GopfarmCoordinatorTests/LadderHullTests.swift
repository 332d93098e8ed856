import Foundation
@testable import GopfarmCoordinator
import Testing

@Suite("Ladder rate-quality hull")
struct LadderHullTests {
    static func point(_ height: Int, _ crf: Double, _ kbps: Double, _ psnr: Double) -> ProbePoint {
        ProbePoint(width: height * 16 / 9 & ~1, height: height, crf: crf, bitrate: kbps * 1000, psnr: psnr)
    }

    @Test func keepsTheEfficientPointsAcrossResolutions() {
        let a = Self.point(360, 33, 100, 30)
        let underChord = Self.point(360, 28, 200, 31)  // the chord a→c gives 33 dB at 200 kbit/s
        let c = Self.point(720, 28, 400, 36)
        let d = Self.point(720, 23, 800, 38)
        let pastPeak = Self.point(1080, 23, 1600, 37.5)
        let lossless = Self.point(1080, 0, 90_000, .infinity)
        let empty = Self.point(240, 38, 0, 20)
        let hull = RateQualityHull([pastPeak, d, underChord, lossless, a, c, empty])
        #expect(hull.points == [a, c, d])
        #expect(hull.points.map(\.height) == [360, 720, 720])
        #expect(hull.rateRange == 100_000...800_000)
    }

    @Test func ofTwoEncodesAtOneRateOnlyTheBetterCounts() {
        let worse = Self.point(360, 30, 300, 33), better = Self.point(540, 30, 300, 34)
        let hull = RateQualityHull([worse, Self.point(240, 38, 100, 28), better, Self.point(720, 23, 900, 38)])
        #expect(hull.points.contains(better) && !hull.points.contains(worse))
    }

    /// Random clouds: the hull is concave and rising, and no point lies above it.
    @Test func noPointLiesAboveTheHull() throws {
        var rng = SplitMix(seed: 15)
        for _ in 0..<50 {
            let cloud = (0..<40).map { _ in
                Self.point([240, 360, 720][Int(rng.next() % 3)], 23, pow(10, 2 + 2 * rng.unit()), 25 + 20 * rng.unit())
            }
            let hull = RateQualityHull(cloud)
            let range = try #require(hull.rateRange)
            let peak = try #require(hull.points.last).psnr
            for p in cloud {
                if range.contains(p.bitrate) {
                    let onHull = try #require(hull.quality(atBitrate: p.bitrate))
                    #expect(p.psnr <= onHull + 1e-9)
                } else {
                    #expect(p.bitrate > range.upperBound && p.psnr <= peak)
                }
            }
            let slopes = zip(hull.points, hull.points.dropFirst()).map { ($1.psnr - $0.psnr) / (log10($1.bitrate) - log10($0.bitrate)) }
            #expect(slopes.allSatisfy { $0 > 0 })
            #expect(zip(slopes, slopes.dropFirst()).allSatisfy { $1 < $0 + 1e-9 })
        }
    }

    @Test func qualityAndRateAreInverseOnTheHull() throws {
        let hull = RateQualityHull([Self.point(360, 33, 100, 30), Self.point(720, 28, 400, 36), Self.point(720, 23, 800, 38)])
        for kbps in [100.0, 150, 400, 555, 800] {
            let q = try #require(hull.quality(atBitrate: kbps * 1000))
            let back = try #require(hull.bitrate(atQuality: q))
            #expect(abs(back / (kbps * 1000) - 1) < 1e-9)
        }
        #expect(hull.quality(atBitrate: 90_000) == nil && hull.quality(atBitrate: 900_000) == nil)
        #expect(hull.bitrate(atQuality: 39) == nil)
        #expect(hull.bitrate(atQuality: 20) == 100_000)
        #expect(RateQualityHull([]).isEmpty && RateQualityHull([]).rateRange == nil)
    }
}

/// A small seeded generator (SplitMix64), so random tests repeat exactly.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
