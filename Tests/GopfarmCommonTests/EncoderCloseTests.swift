import CFFmpeg
import Testing
@testable import GopfarmCommon

/// An encoder given up mid-stream (a revoked segment, an error in another rendition) is closed
/// without its frames being encoded: every supported codec closes so. Only SVT-AV1 is flushed
/// first (its 1.4 hung closing an encoder that never saw end-of-stream).
@Suite("Closing an encoder mid-stream", .serialized)
struct EncoderCloseTests {
    @Test(arguments: EncodeSettings.supportedCodecs)
    func closesWithFramesInItsLookahead(_ codec: String) throws {
        let slow = ["libx264": "veryslow", "libx265": "slow"][codec]
        let settings = EncodeSettings(codec: codec, preset: slow, threads: 1)
        let format = AV_PIX_FMT_YUV420P
        var encoder: Encoder? = try Encoder(settings: settings, source: Encoder.Source(
            width: 320, height: 192, pixelFormat: format, timeBase: Rational(1, 25), frameRate: Rational(25, 1)))
        let frame = Frame()
        try frame.allocate(width: 320, height: 192, format: format)
        let packet = Packet()
        var packets = 0
        for i in 0..<12 {
            frame.withPlane(0) { bytes, stride in
                for y in 0..<192 { for x in 0..<320 { bytes[y * stride + x] = UInt8(truncatingIfNeeded: x &* 7 &+ y &* 13 &+ i &* 31) } }
            }
            frame.setPTS(Int64(i))
            try encoder!.send(frame, keyFrame: i == 0)
            while try encoder!.receive(into: packet) { packets += 1 }
        }
        // Lookahead encoders hold every frame so far; the others may have put some out.
        if codec == "libx264" || codec == "libx265" { #expect(packets == 0, "\(codec) put out \(packets) packets already") }
        #expect(encoder!.hasFrames)
        // SVT-AV1 started its threads real-time (FIFO 99) under root: none is left so.
        #expect(!RealtimeThreads.any, "a thread of the process runs real-time after \(codec) opened")
        encoder = nil  // closes here (SVT-AV1 closed without end-of-stream never returned)
    }
}
