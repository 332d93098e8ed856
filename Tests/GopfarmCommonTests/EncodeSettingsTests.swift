import GopfarmCommon
import Testing

@Suite("Encode settings")
struct EncodeSettingsTests {
    @Test func scaleParsingAndResolution() throws {
        #expect(try ScaleSpec(parsing: "1280x720").resolve(sourceWidth: 1920, sourceHeight: 1080) == (1280, 720))
        #expect(try ScaleSpec(parsing: "-2:720").resolve(sourceWidth: 1920, sourceHeight: 1080) == (1280, 720))
        #expect(try ScaleSpec(parsing: "-2:480").resolve(sourceWidth: 853, sourceHeight: 481) == (852, 480))
        #expect(try ScaleSpec(parsing: "640x-1").resolve(sourceWidth: 853, sourceHeight: 481) == (640, 361))
        for bad in ["", "x", "1280", "-2:-2", "0x720", "99999x10", "ax b"] {
            #expect(throws: MediaError.self, "\(bad)") { try ScaleSpec(parsing: bad) }
        }
    }

    @Test func validationSpeaksInSentences() {
        func message(_ s: EncodeSettings) -> String? {
            do { try s.validate(); return nil } catch { return error.description }
        }
        #expect(message(EncodeSettings(codec: "libx264", crf: 23, preset: "medium")) == nil)
        #expect(message(EncodeSettings(codec: "mpeg4"))?.contains("unsupported codec 'mpeg4'") == true)
        #expect(message(EncodeSettings(crf: 70))?.contains("--crf") == true)
        #expect(message(EncodeSettings(crf: 20, bitrate: 1000))?.contains("not both") == true)
        #expect(message(EncodeSettings(preset: "fastest"))?.contains("is not a libx264 preset") == true)
        #expect(message(EncodeSettings(codec: "libsvtav1", preset: "medium"))?.contains("-2 (slowest) to 13") == true)
        #expect(message(EncodeSettings(gop: 0))?.contains("--gop") == true)
    }
}
