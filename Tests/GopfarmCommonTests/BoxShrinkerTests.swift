import CFFmpeg
import GopfarmCommon
import Testing

@Suite("BoxShrinker: the analysis plane's first stage")
struct BoxShrinkerTests {
    /// A `format` picture of pseudo-random samples.
    func picture(width: Int, height: Int, format: AVPixelFormat, chromaShift: (Int, Int)) throws -> Frame {
        let frame = Frame()
        try frame.allocate(width: width, height: height, format: format)
        var seed: UInt64 = 7
        for plane in 0..<3 {
            let (sx, sy) = plane == 0 ? (0, 0) : chromaShift
            frame.withPlane(plane) { p, stride in
                for y in 0..<((height + (1 << sy) - 1) >> sy) {
                    for x in 0..<((width + (1 << sx) - 1) >> sx) {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        p[y * stride + x] = UInt8(truncatingIfNeeded: seed >> 56)
                    }
                }
            }
        }
        return frame
    }

    @Test("every sample is the rounded mean of its block, clipped at the plane's edge",
          arguments: [(AV_PIX_FMT_YUV420P, 1, 1), (AV_PIX_FMT_YUVJ422P, 1, 0), (AV_PIX_FMT_YUV444P, 0, 0)])
    func meansOfBlocks(_ format: AVPixelFormat, _ sx: Int, _ sy: Int) throws {
        let (width, height) = (101, 57)
        let source = try picture(width: width, height: height, format: format, chromaShift: (sx, sy))
        let shrinker = try #require(BoxShrinker(width: width, height: height, format: format.rawValue, targetWidth: 20))
        #expect(shrinker.factor == 5 && shrinker.width == 20 && shrinker.height == 11)
        let out = Frame()
        try shrinker.shrink(source, into: out)
        #expect(out.width == 20 && out.height == 11 && out.pixelFormat == format.rawValue)
        for plane in 0..<3 {
            let (px, py) = plane == 0 ? (0, 0) : (sx, sy)
            let inW = (width + (1 << px) - 1) >> px, inH = (height + (1 << py) - 1) >> py
            let outW = (20 + (1 << px) - 1) >> px, outH = (11 + (1 << py) - 1) >> py
            var mismatches = 0
            source.withPlaneBytes(plane) { src, srcStride in
                out.withPlaneBytes(plane) { dst, dstStride in
                    for y in 0..<outH {
                        for x in 0..<outW {
                            let rows = min(y * 5, inH - 1)..<min(min(y * 5, inH - 1) + 5, inH)
                            let cols = min(x * 5, inW - 1)..<min(min(x * 5, inW - 1) + 5, inW)
                            let sum = rows.reduce(0) { total, r in cols.reduce(total) { $0 + Int(src[r * srcStride + $1]) } }
                            let n = rows.count * cols.count
                            if Int(dst[y * dstStride + x]) != (sum + n / 2) / n { mismatches += 1 }
                        }
                    }
                }
            }
            #expect(mismatches == 0, "plane \(plane): \(mismatches) samples are not their block's mean")
        }
    }

    /// The largest blocks (64×64) of the brightest samples: each column sum is 64 × 255 (more than
    /// 8 bits hold, within the 16 the shrinker sums in), and every mean is still 255.
    @Test func largestBlocksOfWhiteStayWhite() throws {
        let (width, height) = (64 * 5 + 7, 64 * 2 + 3)
        let source = Frame()
        try source.allocate(width: width, height: height, format: AV_PIX_FMT_YUV444P)
        for plane in 0..<3 {
            source.withPlane(plane) { p, stride in for y in 0..<height { for x in 0..<width { p[y * stride + x] = 255 } } }
        }
        let shrinker = try #require(BoxShrinker(width: width, height: height, format: AV_PIX_FMT_YUV444P.rawValue, targetWidth: 4))
        #expect(shrinker.factor == 64 && shrinker.width == 5 && shrinker.height == 2)
        let out = Frame()
        try shrinker.shrink(source, into: out)
        for plane in 0..<3 {
            out.withPlaneBytes(plane) { p, stride in
                #expect((0..<2).allSatisfy { y in (0..<5).allSatisfy { p[y * stride + $0] == 255 } }, "plane \(plane)")
            }
        }
    }

    @Test func notUsedWhereItCannotHelp() {
        #expect(BoxShrinker(width: 300, height: 200, format: AV_PIX_FMT_YUV420P.rawValue, targetWidth: 256) == nil)
        #expect(BoxShrinker(width: 1920, height: 1080, format: AV_PIX_FMT_NV12.rawValue, targetWidth: 256) == nil)
        #expect(BoxShrinker(width: 1920, height: 1080, format: AV_PIX_FMT_YUV420P10LE.rawValue, targetWidth: 256) == nil)
        #expect(BoxShrinker(width: 1920, height: 1080, format: AV_PIX_FMT_YUV420P.rawValue, targetWidth: 256)?.factor == 7)
    }
}
