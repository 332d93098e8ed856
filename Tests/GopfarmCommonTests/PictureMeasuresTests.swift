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
