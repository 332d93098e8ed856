@testable import GopfarmCommon
import Foundation
import Testing

@Suite("Picture measures and plane comparison")
struct PictureMeasuresTests {
    @Test func hsvFollowsOpenCV() {
        // Values from cv2.cvtColor(np.uint8([[[r,g,b]]]), cv2.COLOR_RGB2HSV).
        #expect(PictureMeasures.hsv(r: 255, g: 0, b: 0) == (0, 255, 255))
        #expect(PictureMeasures.hsv(r: 0, g: 255, b: 0) == (60, 255, 255))
        #expect(PictureMeasures.hsv(r: 0, g: 0, b: 255) == (120, 255, 255))
        #expect(PictureMeasures.hsv(r: 128, g: 64, b: 32) == (10, 191, 128))
        #expect(PictureMeasures.hsv(r: 255, g: 0, b: 64) == (172, 255, 255))
        #expect(PictureMeasures.hsv(r: 77, g: 77, b: 77) == (0, 0, 77))
    }

    /// The branch-free `hsv` against the same steps written with branches (the case of the
    /// maximum tested in order, a grey pixel hue 0), on a grid of colours that includes the
    /// extremes and ties.
    @Test func hsvWithoutBranchesEqualsItsCases() {
        func reference(_ r: Int, _ g: Int, _ b: Int) -> (UInt8, UInt8, UInt8) {
            let v = max(r, g, b), diff = v - min(r, g, b)
            let s = (diff * PictureMeasures.saturationDivisors[v] + (1 << 11)) >> 12
            guard diff > 0 else { return (0, UInt8(s), UInt8(v)) }
            let h6 = v == r ? g - b : (v == g ? b - r + 2 * diff : r - g + 4 * diff)
            var h = (h6 * PictureMeasures.hueDivisors[diff] + (1 << 11)) >> 12
            if h < 0 { h += 180 }
            return (UInt8(min(h, 179)), UInt8(s), UInt8(v))
        }
        let levels = Array(stride(from: 0, through: 255, by: 5)) + [1, 2, 3, 4, 127, 128, 254]
        var mismatches = 0
        for r in levels { for g in levels { for b in levels where PictureMeasures.hsv(r: r, g: g, b: b) != reference(r, g, b) { mismatches += 1 } } }
        #expect(mismatches == 0)
    }

    private func measure(_ pixels: [UInt8], width: Int, height: Int) -> PictureMeasures {
        pixels.withUnsafeBufferPointer { PictureMeasures(rgb: $0.baseAddress!, stride: width * 3, width: width, height: height, blackPixelThreshold: 0.10) }
    }

    @Test func blackFlatAndSharpPictures() {
        let black = measure([UInt8](repeating: 0, count: 16 * 8 * 3), width: 16, height: 8)
        #expect(black.blackRatio == 1)
        #expect(black.lumaMax == 0)
        #expect(black.sharpness == 0)
        #expect(black.colourfulness == 0)
        var checker = [UInt8](repeating: 0, count: 16 * 8 * 3)
        for y in 0..<8 { for x in 0..<16 where (x + y) % 2 == 0 { for c in 0..<3 { checker[(y * 16 + x) * 3 + c] = 200 } } }
        let sharp = measure(checker, width: 16, height: 8)
        #expect(sharp.blackRatio == 0.5)
        #expect(sharp.sharpness > 1000)
        #expect(sharp.lumaMin == 0 && sharp.lumaMax == 200)
        let red = measure([UInt8]((0..<(16 * 8)).flatMap { _ in [200, 20, 20] as [UInt8] }), width: 16, height: 8)
        #expect(red.colourfulness > 50)
    }

    /// The one-pass integer measures equal the textbook formulas, summed in floating point, on
    /// pseudo-random pictures whose rows are padded past their width (as libswscale's are).
    @Test(arguments: [(37, 11), (64, 36), (5, 4), (256, 144)])
    func measuresEqualTheirFormulas(width w: Int, height h: Int) {
        let stride = w * 3 + 13
        var seed = UInt64(w * 1000 + h)
        let pixels = (0..<(stride * h)).map { _ -> UInt8 in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: seed >> 56)
        }
        let m = pixels.withUnsafeBufferPointer {
            PictureMeasures(rgb: $0.baseAddress!, stride: stride, width: w, height: h, blackPixelThreshold: 0.3)
        }
        var luma = [Int](), hsv = [[UInt8]](repeating: [], count: 3), rg = [Double](), yb = [Double]()
        for y in 0..<h {
            for x in 0..<w {
                let r = Int(pixels[y * stride + 3 * x]), g = Int(pixels[y * stride + 3 * x + 1]), b = Int(pixels[y * stride + 3 * x + 2])
                luma.append(Int((Double(r * 299 + g * 587 + b * 114) / 1000).rounded()))
                let (hh, ss, vv) = PictureMeasures.hsv(r: r, g: g, b: b)
                hsv[0].append(hh); hsv[1].append(ss); hsv[2].append(vv)
                rg.append(Double(r - g))
                yb.append(Double(r + g) / 2 - Double(b))
            }
        }
        let n = Double(w * h)
        func meanAndDeviation(_ v: [Double]) -> (Double, Double) {
            let mean = v.reduce(0, +) / n
            return (mean, max(0, v.map { $0 * $0 }.reduce(0, +) / n - mean * mean))
        }
        let (rgMean, rgVar) = meanAndDeviation(rg), (ybMean, ybVar) = meanAndDeviation(yb)
        var laplacian = [Double]()
        for y in 1..<(h - 1) {
            for x in 1..<(w - 1) {
                let i = y * w + x
                laplacian.append(Double(4 * luma[i] - luma[i - 1] - luma[i + 1] - luma[i - w] - luma[i + w]))
            }
        }
        let inner = Double(laplacian.count)
        let lapMean = laplacian.reduce(0, +) / inner
        let sharpness = Float(max(0, laplacian.map { $0 * $0 }.reduce(0, +) / inner - lapMean * lapMean))

        #expect(m.signature.luma == Data(luma.map { UInt8($0) }))
        #expect(m.signature.hsv == Data(hsv.joined()))
        #expect(m.lumaMean == Float(Double(luma.reduce(0, +)) / n))
        #expect(m.lumaMin == UInt8(luma.min()!) && m.lumaMax == UInt8(luma.max()!))
        #expect(m.blackRatio == Float(Double(luma.filter { $0 <= 76 }.count) / n))
        #expect(m.colourfulness == Float((rgVar + ybVar).squareRoot() + 0.3 * (rgMean * rgMean + ybMean * ybMean).squareRoot()))
        #expect(m.sharpness == sharpness)
        #expect(m.lumaMax > m.lumaMin && m.sharpness > 0 && m.colourfulness > 0)
    }

    @Test func signatureChangeIsMeanHSVAndLumaDifference() {
        let a = measure([UInt8](repeating: 0, count: 4 * 4 * 3), width: 4, height: 4)
        let b = measure([UInt8]((0..<16).flatMap { _ in [255, 0, 0] as [UInt8] }), width: 4, height: 4)
        let change = b.signature.change(from: a.signature)!
        #expect(abs(change.score - Float(0 + 255 + 255) / 3) < 0.01)
        #expect(abs(change.motion - 76) < 0.6)  // BT.601 luma of pure red
        let small = measure([UInt8](repeating: 0, count: 2 * 2 * 3), width: 2, height: 2)
        #expect(b.signature.change(from: small.signature) == nil)
    }

    @Test func psnrAndSSIMOfPlanes() {
        let w = 64, h = 32
        let a = [UInt8]((0..<(w * h)).map { UInt8($0 * 7 % 250) })
        var b = a
        for i in stride(from: 0, to: b.count, by: 2) { b[i] &+= 2 }
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let sse = PlaneComparison.sumOfSquaredErrors(pa.baseAddress!, w, pb.baseAddress!, w, width: w, height: h, bytesPerSample: 1)
                #expect(sse == UInt64(w * h / 2 * 4))
                #expect(PlaneComparison.ssim(pa.baseAddress!, w, pa.baseAddress!, w, width: w, height: h) == 1)
                let s = PlaneComparison.ssim(pa.baseAddress!, w, pb.baseAddress!, w, width: w, height: h)!
                #expect(s < 1 && s > 0.9)
            }
        }
        let q = SegmentQuality(frames: 1, mse: [2, 0, 0], planeWeights: [4.0 / 6, 1.0 / 6, 1.0 / 6], peak: 255, ssimY: nil, ssimFrames: 0)
        #expect(abs(q.psnrY - 10 * log10(255.0 * 255 / 2)) < 1e-9)
        #expect(q.psnrU == .infinity)
        #expect(abs(q.psnrAll - 10 * log10(255.0 * 255 / (2 * 4.0 / 6))) < 1e-9)
    }
}
