import Foundation
@testable import GopfarmCoordinator
import Testing

/// A title's probe, modelled: the rate halves every 6 CRF and falls with the pixel count; the
/// encode's PSNR rises with the bits per pixel and saturates (concave in log rate); a smaller
/// resolution adds the error of its upscale to the display size, larger for detailed content
/// (errors add as MSE). So each resolution wins somewhere, and the hull crosses between them.
struct SyntheticTitle {
    var name: String
    /// Rate of 1080p at CRF 18, bits per second (25 frames per second).
    var rateAt18: Double
    /// The encode's PSNR as the bits per pixel grow without end.
    var psnrMax: Double
    /// How far below `psnrMax` the encode is at `kneeBPP` bits per pixel.
    var spread: Double
    var kneeBPP: Double
    /// PSNR of the upscale alone from 540p; each halving of the height costs 6 dB more.
    var upscalePSNRAt540: Double

    /// Flat, quickly saturating: a talking head in front of a plain wall.
    static let simple = SyntheticTitle(name: "talking head", rateAt18: 1_500_000, psnrMax: 50, spread: 6, kneeBPP: 0.01, upscalePSNRAt540: 47)
    static let animation = SyntheticTitle(name: "animation", rateAt18: 5_000_000, psnrMax: 48, spread: 7, kneeBPP: 0.05, upscalePSNRAt540: 43)
    /// Steep, never saturating: high-motion noise.
    static let complex = SyntheticTitle(name: "noise", rateAt18: 40_000_000, psnrMax: 44, spread: 8, kneeBPP: 0.3, upscalePSNRAt540: 34)

    func points(_ grid: ProbeGrid) -> [ProbePoint] {
        grid.encodes.map { r, crf in
            let rate = rateAt18 * pow(Double(r.height) / 1080, 1.8) * pow(2, -(crf - 18) / 6)
            let bpp = rate / (Double(r.width * r.height) * 25)
            let encode = psnrMax - spread * exp(-(log2(bpp) - log2(kneeBPP)) / 2)
            var psnr = encode
            if r.height < 1080 {
                let upscale = upscalePSNRAt540 - 6 * log2(540 / Double(r.height))
                psnr = -10 * log10(pow(10, -encode / 10) + pow(10, -upscale / 10))
            }
            return ProbePoint(width: r.width, height: r.height, crf: crf, bitrate: rate, psnr: psnr)
        }
    }
}

@Suite("Ladder chooser")
struct LadderChooserTests {
    static let grid = try! ProbeGrid(sourceWidth: 1920, sourceHeight: 1080)

    /// What every chosen ladder must keep, whatever the content.
    func checkRules(_ rungs: [ChosenRung], _ points: [ProbePoint], _ chooser: LadderChooser, _ name: String) {
        #expect(!rungs.isEmpty && rungs.count <= chooser.maxRungs, "\(name): \(rungs.count) rungs")
        for r in rungs {
            #expect(Double(r.maxrate) >= chooser.bitrateFloor - 1 && Double(r.maxrate) <= chooser.bitrateCeiling + 1, "\(name): \(r)")
            #expect(points.contains { $0.width == r.width && $0.height == r.height }, "\(name): \(r) is not a probe resolution")
            #expect((points.map(\.crf).min()!...points.map(\.crf).max()!).contains(r.crf), "\(name): \(r)")
        }
        let hull = RateQualityHull(points)
        for (upper, lower) in zip(rungs, rungs.dropFirst()) {
            #expect(Double(upper.maxrate) >= Double(lower.maxrate) * chooser.minRungRatio * (1 - 1e-5), "\(name): \(upper) over \(lower)")
            let step = (hull.quality(atBitrate: Double(upper.maxrate)) ?? upper.expectedPSNR) - (hull.quality(atBitrate: Double(lower.maxrate)) ?? lower.expectedPSNR)
            #expect(step >= chooser.minQualityStep - 1e-4, "\(name): \(upper) over \(lower)")
            #expect(upper.expectedPSNR > lower.expectedPSNR, "\(name): \(upper) over \(lower)")
            #expect(upper.height >= lower.height, "\(name): sizes must not shrink as the rate grows")
            if upper.height == lower.height { #expect(upper.crf <= lower.crf, "\(name): more bits at one size is a lower CRF") }
        }
        // The top rung stops at the quality target, or at the ceiling or the best encode below it.
        if let top = rungs.first, let q = hull.quality(atBitrate: Double(top.maxrate)), q < chooser.qualityTarget - 1e-4 {
            let best = hull.points.last!.bitrate
            #expect(abs(Double(top.maxrate) - min(best, chooser.bitrateCeiling)) < 2, "\(name): \(top) stops short")
        } else if let top = rungs.first {
            // Past the target only when the floor forces it.
            let q = hull.quality(atBitrate: Double(top.maxrate)) ?? top.expectedPSNR
            #expect(q < chooser.qualityTarget + 1e-4 || (rungs.count == 1 && Double(top.maxrate) == chooser.bitrateFloor),
                    "\(name): \(top) climbs past the target")
        }
    }

    @Test func simpleContentGetsFewerRungsThanComplex() {
        let chooser = LadderChooser()
        var counts: [String: Int] = [:]
        for title in [SyntheticTitle.simple, .animation, .complex] {
            let points = title.points(Self.grid)
            let rungs = chooser.choose(points: points)
            checkRules(rungs, points, chooser, title.name)
            counts[title.name] = rungs.count
        }
        #expect(counts["talking head"]! < counts["animation"]!, "\(counts)")
        #expect(counts["animation"]! <= counts["noise"]!, "\(counts)")
        #expect(counts["noise"]! == LadderDefaults.maxRungs, "\(counts)")
    }

    /// At low rates small pictures win, at high rates large ones; no probe size allowed under
    /// the rung above would have done better at a rung's rate.
    @Test func eachRungTakesTheBestSizeAtItsRate() throws {
        for title in [SyntheticTitle.simple, .animation, .complex] {
            let points = title.points(Self.grid)
            let rungs = LadderChooser().choose(points: points)
            if title.name != SyntheticTitle.simple.name {
                #expect(try #require(rungs.last).height < (try #require(rungs.first)).height, "\(title.name): \(rungs)")
            }
            for (i, r) in rungs.enumerated() {
                let limit = i == 0 ? Int.max : rungs[i - 1].height
                for height in Set(points.map(\.height)) where height <= limit && height != r.height {
                    let curve = points.filter { $0.height == height }
                    guard let below = curve.filter({ $0.bitrate <= Double(r.maxrate) }).max(by: { $0.bitrate < $1.bitrate }),
                          let above = curve.filter({ $0.bitrate >= Double(r.maxrate) }).min(by: { $0.bitrate < $1.bitrate }) else { continue }
                    #expect(min(below.psnr, above.psnr) <= r.expectedPSNR + 1e-9, "\(title.name): \(height)p beats \(r)")
                }
            }
        }
    }

    /// The CRF lands between the measured encodes at the rung's size whose rates bracket its cap.
    @Test func crfIsInterpolatedAtTheRungsResolution() {
        let points = SyntheticTitle.animation.points(Self.grid)
        for r in LadderChooser().choose(points: points) {
            let curve = points.filter { $0.height == r.height }.sorted { $0.bitrate < $1.bitrate }
            guard let above = curve.first(where: { $0.bitrate >= Double(r.maxrate) }),
                  let below = curve.last(where: { $0.bitrate <= Double(r.maxrate) }) else { continue }
            #expect(r.crf >= above.crf - 0.05 && r.crf <= below.crf + 0.05, "\(r): between \(below.crf) and \(above.crf)")
        }
    }

    @Test func settingsChangeTheLadder() {
        let points = SyntheticTitle.complex.points(Self.grid)
        var chooser = LadderChooser()
        chooser.maxRungs = 3
        #expect(chooser.choose(points: points).count == 3)
        chooser = LadderChooser()
        chooser.minRungRatio = 4
        let sparse = chooser.choose(points: points)
        checkRules(sparse, points, chooser, "ratio 4")
        #expect(sparse.count < LadderChooser().choose(points: points).count)
        chooser = LadderChooser()
        chooser.bitrateCeiling = 2_000_000
        #expect(chooser.choose(points: points).first?.maxrate == 2_000_000)
    }

    @Test func degenerateProbes() {
        #expect(LadderChooser().choose(points: []).isEmpty)
        #expect(LadderChooser().choose(points: [ProbePoint(width: 640, height: 360, crf: 23, bitrate: .nan, psnr: 30)]).isEmpty)
        // One encode: one rung, at its size, CRF and rate (below the floor: the floor bounds the
        // bottom of a ladder, it does not raise a lone rung).
        let one = LadderChooser().choose(points: [ProbePoint(width: 640, height: 360, crf: 28, bitrate: 90_000, psnr: 41)])
        #expect(one == [ChosenRung(width: 640, height: 360, maxrate: 90_000, crf: 28, expectedPSNR: 41)])
        // Everything dearer than the ceiling: one rung, capped at the ceiling.
        let dear = LadderChooser().choose(points: [ProbePoint(width: 1920, height: 1080, crf: 38, bitrate: 9e6, psnr: 30),
                                                   ProbePoint(width: 1920, height: 1080, crf: 33, bitrate: 14e6, psnr: 32)])
        #expect(dear.count == 1 && dear.first?.maxrate == Int(LadderDefaults.bitrateCeiling) && dear.first?.crf == 38)
    }
}
