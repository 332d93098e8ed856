import CFFmpeg
@testable import GopfarmCommon
import Testing

/// The encoder gets a pixel format that holds every sample of the source when it has one.
@Suite("Pixel format choice")
struct PixelFormatChoiceTests {
    @Test("a format the encoder lacks: the same family, layout and planes at the next depth up, never RGB for YUV")
    func holdsTheSource() throws {
        // FFV1 has no yuva444p12le (ProRes 4444); gbrap12le has its depth but converts the colours.
        #expect(try PixelFormatChoice.choose(codec: "ffv1", source: AV_PIX_FMT_YUVA444P12LE, requested: nil) == AV_PIX_FMT_YUVA444P16LE)
        // Taken as it is when the encoder has it.
        #expect(try PixelFormatChoice.choose(codec: "ffv1", source: AV_PIX_FMT_YUV422P10LE, requested: nil) == AV_PIX_FMT_YUV422P10LE)
        #expect(try PixelFormatChoice.choose(codec: "ffv1", source: AV_PIX_FMT_GBRP10LE, requested: nil) == AV_PIX_FMT_GBRP10LE)
        // The full-range twin, then the user's own choice.
        #expect(try PixelFormatChoice.choose(codec: "libx264", source: AV_PIX_FMT_YUVJ420P, requested: nil) == AV_PIX_FMT_YUVJ420P
                || PixelFormatChoice.choose(codec: "libx264", source: AV_PIX_FMT_YUVJ420P, requested: nil) == AV_PIX_FMT_YUV420P)
        #expect(try PixelFormatChoice.choose(codec: "ffv1", source: AV_PIX_FMT_YUVA444P12LE, requested: "yuv444p") == AV_PIX_FMT_YUV444P)
    }
}
