import CFFmpeg
import Testing
@testable import GopfarmCommon

@Suite("Turning pictures upright")
struct FrameTurnerTests {
    /// The turns the ffmpeg CLI applies for a display matrix's angle (counter-clockwise degrees,
    /// as `av_display_rotation_get` and ffprobe give it).
    @Test func quarterTurnsFollowTheCLI() {
        #expect(FrameTurner.quarterTurns(displayRotation: -90) == 1)
        #expect(FrameTurner.quarterTurns(displayRotation: 180) == 2)
        #expect(FrameTurner.quarterTurns(displayRotation: -180) == 2)
        #expect(FrameTurner.quarterTurns(displayRotation: 90) == 3)
        #expect(FrameTurner.quarterTurns(displayRotation: 270) == 1)
        #expect(FrameTurner.quarterTurns(displayRotation: -89.6) == 1)
        #expect(FrameTurner.quarterTurns(displayRotation: 0) == 0)
        #expect(FrameTurner.quarterTurns(displayRotation: 45) == 0)
    }

    /// A 3×2 picture whose samples are their own positions: each turn puts every luma and chroma
    /// sample where a clockwise turn of the picture takes it, at 8 and 16 bits.
    @Test(arguments: [AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUV444P10LE, AV_PIX_FMT_GRAY8])
    func turnsMoveEverySample(_ format: AVPixelFormat) throws {
        let (w, h) = (3, 2)
        let picture = Frame()
        try picture.allocate(width: w, height: h, format: format)
        picture.pointer.pointee.sample_aspect_ratio = AVRational(num: 4, den: 3)
        picture.setPTS(42)
        let wide = format == AV_PIX_FMT_YUV444P10LE
        let planes = Int(av_pix_fmt_count_planes(format))
        func value(_ plane: Int, _ x: Int, _ y: Int) -> Int { 100 * plane + 10 * y + x }
        for plane in 0..<planes {
            picture.withPlane(plane) { bytes, stride in
                for y in 0..<h { for x in 0..<w { write(bytes, stride, x, y, value(plane, x, y), wide) } }
            }
        }
        for turns in 1...3 {
            let out = Frame()
            try FrameTurner(quarterTurns: turns).turn(picture, into: out)
            let sideways = turns % 2 == 1
            #expect((out.width, out.height) == (sideways ? (h, w) : (w, h)))
            #expect(out.presentationTime == 42)
            #expect(Rational(out.pointer.pointee.sample_aspect_ratio) == (sideways ? Rational(3, 4) : Rational(4, 3)))
            for plane in 0..<planes {
                out.withPlaneBytes(plane) { bytes, stride in
                    for y in 0..<out.height {
                        for x in 0..<out.width {
                            // Where (x, y) of the turned picture was before the turn.
                            let (sx, sy) = switch turns {
                            case 1: (y, h - 1 - x)
                            case 2: (w - 1 - x, h - 1 - y)
                            default: (w - 1 - y, x)
                            }
                            #expect(read(bytes, stride, x, y, wide) == value(plane, sx, sy), "turns \(turns) plane \(plane) at \(x),\(y)")
                        }
                    }
                }
            }
        }
    }

    @Test func chromaSubsampledOneWayCannotTurnSideways() {
        #expect(FrameTurner.refusal(format: AV_PIX_FMT_YUV422P, quarterTurns: 1) != nil)
        #expect(FrameTurner.refusal(format: AV_PIX_FMT_YUV422P, quarterTurns: 2) == nil)
        #expect(FrameTurner.refusal(format: AV_PIX_FMT_YUV420P, quarterTurns: 3) == nil)
        #expect(FrameTurner.refusal(format: AV_PIX_FMT_NV12, quarterTurns: 1) != nil)
        #expect(FrameTurner.refusal(format: AV_PIX_FMT_RGB24, quarterTurns: 2) != nil)
    }

    private func write(_ bytes: UnsafeMutablePointer<UInt8>, _ stride: Int, _ x: Int, _ y: Int, _ v: Int, _ wide: Bool) {
        if wide { UnsafeMutableRawPointer(bytes + y * stride).storeBytes(of: UInt16(v), toByteOffset: 2 * x, as: UInt16.self) }
        else { bytes[y * stride + x] = UInt8(v) }
    }

    private func read(_ bytes: UnsafePointer<UInt8>, _ stride: Int, _ x: Int, _ y: Int, _ wide: Bool) -> Int {
        wide ? Int(UnsafeRawPointer(bytes + y * stride).load(fromByteOffset: 2 * x, as: UInt16.self)) : Int(bytes[y * stride + x])
    }
}
