import CFFmpeg
import Foundation
import GopfarmCommon
import Testing

@Suite("JPEG decoder and frame composition")
struct JPEGDecoderTests {
    /// A frame with a horizontal luma ramp and neutral chroma.
    static func ramp(width: Int, height: Int) throws -> Frame {
        let frame = Frame()
        try frame.allocate(width: width, height: height, format: AV_PIX_FMT_YUVJ420P)
        try frame.fill(planeValues: [0, 128, 128])
        frame.withPlane(0) { y, stride in
            for row in 0..<height { for col in 0..<width { y[row * stride + col] = UInt8(col * 255 / (width - 1)) } }
        }
        return frame
    }

    static func luma(_ frame: Frame, _ x: Int, _ y: Int) -> Int { frame.withPlane(0) { b, s in Int(b[y * s + x]) } }

    @Test func roundTrip() throws {
        let jpeg = try JPEGEncoder(width: 128, height: 72, quality: 2).encode(try Self.ramp(width: 128, height: 72))
        let decoded = try JPEGDecoder().decode(jpeg)
        #expect(decoded.width == 128 && decoded.height == 72)
        for x in [4, 64, 123] { #expect(abs(Self.luma(decoded, x, 36) - x * 255 / 127) <= 4, "column \(x)") }
    }

    @Test func decoderIsReusable() throws {
        let decoder = try JPEGDecoder()
        let frame = Frame()
        for (w, h) in [(64, 36), (32, 18), (64, 36)] {
            try decoder.decode(try JPEGEncoder(width: w, height: h).encode(try Self.ramp(width: w, height: h)), into: frame)
            #expect(frame.width == w && frame.height == h)
        }
        #expect(throws: MediaError.self) { try decoder.decode(Data(), into: frame) }
        #expect(throws: MediaError.self) { try decoder.decode(Data([0xFF, 0xD8, 0xFF, 0xD9]), into: frame) }
    }

    /// A picture pasted partly outside the frame is clipped, and lands on the chroma grid.
    @Test func drawClips() throws {
        let canvas = Frame()
        try canvas.allocate(width: 40, height: 20, format: AV_PIX_FMT_YUVJ420P)
        try canvas.fill(planeValues: [10, 128, 128])
        let patch = Frame()
        try patch.allocate(width: 16, height: 8, format: AV_PIX_FMT_YUVJ420P)
        try patch.fill(planeValues: [200, 90, 160])
        try canvas.draw(patch, atX: 30, y: -4)
        try canvas.draw(patch, atX: -6, y: 15)  // y rounds down to 14
        #expect(Self.luma(canvas, 39, 0) == 200 && Self.luma(canvas, 30, 3) == 200 && Self.luma(canvas, 29, 0) == 10 && Self.luma(canvas, 30, 4) == 10)
        #expect(Self.luma(canvas, 0, 14) == 200 && Self.luma(canvas, 9, 19) == 200 && Self.luma(canvas, 10, 19) == 10 && Self.luma(canvas, 0, 13) == 10)
        #expect(canvas.withPlane(1) { b, s in b[0 * s + 15] } == 90)
        let other = Frame()
        try other.allocate(width: 8, height: 8, format: AV_PIX_FMT_YUV444P)
        #expect(throws: MediaError.self) { try canvas.draw(other, atX: 0, y: 0) }
    }
}
