import Foundation
@testable import GopfarmCoordinator
import Testing

@Suite("BD-rate")
struct BDRateTests {
    /// A typical 4-point curve (rates in kbit/s), ascending rate.
    static let anchor: [(rate: Double, quality: Double)] = [(1358.24, 32.4), (2486.44, 35.1), (4593.60, 37.8), (9487.76, 40.2)]

    @Test func identicalCurvesDifferByNothing() throws {
        let bd = try #require(BDRate.percent(anchor: Self.anchor, test: Self.anchor))
        #expect(abs(bd) < 1e-9)
    }

    /// log₁₀ of the rate moves by the same amount at every quality, so the interpolant moves
    /// by it too, whatever its shape.
    @Test func scaledRatesGiveTheirRatio() throws {
        for (factor, expected) in [(0.5, -50.0), (2.0, 100.0), (0.8, -20.0)] {
            let test = Self.anchor.map { (rate: $0.rate * factor, quality: $0.quality) }
            let bd = try #require(BDRate.percent(anchor: Self.anchor, test: test))
            #expect(abs(bd - expected) < 1e-9, "factor \(factor): \(bd)")
        }
    }

    @Test func disjointOrTooShortCurvesHaveNoBDRate() {
        let above = Self.anchor.map { (rate: $0.rate, quality: $0.quality + 20) }
        #expect(BDRate.percent(anchor: Self.anchor, test: above) == nil)
        #expect(BDRate.percent(anchor: Self.anchor, test: [(1000, 35)]) == nil)
        #expect(BDRate.percent(anchor: Self.anchor, test: [(1000, 35), (0, 36), (.infinity, 37), (2000, .nan)]) == nil)
        // Touching at one quality is no interval.
        #expect(BDRate.percent(anchor: [(100, 30), (200, 32)], test: [(300, 32), (600, 34)]) == nil)
    }

    /// Where log rate is linear in quality, PCHIP is that line, and the mean difference over
    /// [lo, hi] is the difference of the lines at the interval's middle.
    @Test func linearCurvesMatchTheirClosedForm() throws {
        let (a, b, c, d) = (1.0, 0.1, 0.8, 0.11)
        let anchor = stride(from: 30.0, through: 42.0, by: 3).map { (rate: pow(10, a + b * $0), quality: $0) }
        let test = stride(from: 33.0, through: 45.0, by: 2).map { (rate: pow(10, c + d * $0), quality: $0) }
        let (lo, hi) = (33.0, 42.0)
        let expected = (pow(10, (c - a) + (d - b) * (lo + hi) / 2) - 1) * 100
        let bd = try #require(BDRate.percent(anchor: anchor, test: test))
        #expect(abs(bd - expected) < 1e-9, "\(bd) vs \(expected)")
    }

    /// Against SciPy's PchipInterpolator, integrated exactly (the oracle, run once):
    /// `lo, hi = max(min(P1), min(P2)), min(max(P1), max(P2));`
    /// `f = PchipInterpolator(P, log10(R)); (10 ** ((f2.integrate(lo, hi) - f1.integrate(lo, hi)) / (hi - lo)) - 1) * 100`
    @Test func matchesSciPyPCHIP() throws {
        let test: [(rate: Double, quality: Double)] = [(9787.80, 40.4), (4469.00, 37.3), (2451.20, 35.3), (1331.52, 31.9)]
        let bd = try #require(BDRate.percent(anchor: Self.anchor, test: test))
        #expect(abs(bd - 2.023279642074649) < 1e-9, "\(bd)")
        // Unequal lengths, uneven spacing, a rate that dips (slopes of opposite sign), any order.
        let wiggle: [(rate: Double, quality: Double)] = [(6000, 41.2), (200, 30.0), (1800, 38.0), (430, 33.9), (450, 33.5)]
        let three: [(rate: Double, quality: Double)] = [(4000, 40.5), (300, 31.0), (900, 36.0)]
        let bd2 = try #require(BDRate.percent(anchor: wiggle, test: three))
        #expect(abs(bd2 - 2.2675749551295477) < 1e-9, "\(bd2)")
    }

    @Test func swappingCurvesInvertsTheRatio() throws {
        let test: [(rate: Double, quality: Double)] = [(1200, 32.0), (2300, 35.4), (4100, 37.9), (9000, 40.6)]
        let forward = try #require(BDRate.percent(anchor: Self.anchor, test: test))
        let backward = try #require(BDRate.percent(anchor: test, test: Self.anchor))
        #expect(abs((1 + forward / 100) * (1 + backward / 100) - 1) < 1e-9)
    }
}

@Suite struct BDRateOnePointTests {
    @Test func aSingleRungIsComparedAtItsQuality() throws {
        let anchor = [(rate: 1_000_000.0, quality: 40.0), (rate: 4_000_000.0, quality: 44.0)]
        // Halfway in quality is 2 Mbit/s on the anchor's log-rate line: 1 Mbit/s there is -50 %.
        let half = try #require(BDRate.percent(anchor: anchor, at: (rate: 1_000_000, quality: 42)))
        #expect(abs(half + 50) < 1e-9)
        #expect(abs(BDRate.percent(anchor: anchor, at: (rate: 4_000_000, quality: 44))!) < 1e-9)
        #expect(BDRate.percent(anchor: anchor, at: (rate: 1_000_000, quality: 45)) == nil)
        #expect(BDRate.percent(anchor: [anchor[0]], at: (rate: 1_000_000, quality: 40)) == nil)
    }
}
