import Foundation
import GopfarmCommon
import Testing

@Suite("Encode settings")
struct EncodeSettingsTests {
    @Test func scaleParsingAndResolution() throws {
        #expect(try ScaleSpec(parsing: "1280x720").resolve(sourceWidth: 1920, sourceHeight: 1080) == (1280, 720))
        #expect(try ScaleSpec(parsing: "-2:720").resolve(sourceWidth: 1920, sourceHeight: 1080) == (1280, 720))
        #expect(try ScaleSpec(parsing: "-2:480").resolve(sourceWidth: 853, sourceHeight: 481) == (852, 480))
        #expect(try ScaleSpec(parsing: "640x-1").resolve(sourceWidth: 853, sourceHeight: 481) == (640, 361))
        for bad in ["", "x", "1280", "ax b", "1x2x3"] {
            #expect(throws: MediaError.self, "\(bad)") { try ScaleSpec(parsing: bad) }
        }
        // Sizes that parse but are no size are refused by the rules, as the API refuses them.
        for bad in ["-2:-2", "0x720", "99999x10", "-3x10", "1281x720"] {
            #expect(throws: MediaError.self, "\(bad)") { try ScaleSpec(parsing: bad).validate(codec: "libx264", pixelFormat: nil) }
        }
        #expect(throws: Never.self) { try ScaleSpec(parsing: "1281x721").validate(codec: "ffv1", pixelFormat: nil) }
    }

    @Test func validationSpeaksInSentences() throws {
        func message(_ s: EncodeSettings) -> String? {
            do { try s.validate(); return nil } catch { return error.description }
        }
        #expect(message(EncodeSettings(codec: "libx264", crf: 23, preset: "medium")) == nil)
        #expect(message(EncodeSettings(codec: "mpeg4"))?.contains("unsupported codec 'mpeg4'") == true)
        #expect(message(EncodeSettings(crf: 70)) == "crf for libx264 must be between 0 and 51, not 70")
        #expect(message(EncodeSettings(codec: "ffv1", crf: 10)) == "ffv1 is lossless and takes no crf")
        #expect(message(EncodeSettings(pixelFormat: "bogus")) == "unknown pixel format 'bogus'")
        #expect(message(EncodeSettings(pixelFormat: String(repeating: "y", count: 900_000)))?.count ?? 0 < 100)
        #expect(message(EncodeSettings(codec: "libvpx-vp9", preset: "fast"))?.contains("good, best, realtime") == true)
        #expect(message(EncodeSettings(crf: 20, bitrate: 1000))?.contains("not both") == true)
        #expect(message(EncodeSettings(preset: "fastest"))?.contains("is not a libx264 preset") == true)
        #expect(message(EncodeSettings(codec: "libsvtav1", preset: "medium"))?.contains("0 (slowest) to 13") == true)
        #expect(message(EncodeSettings(gop: 0)) == "gop must be between 1 and 100000 frames, not 0")
        #expect(message(EncodeSettings(crf: .nan)) == "crf for libx264 must be between 0 and 51, not nan")
        var audio = EncodeSettings()
        audio.audioBitrate = 4_000
        #expect(message(audio) == "the audio bit rate must be between 8k and 1M bits per second a track, not 4000")
        audio.audioBitrate = 128_000
        #expect(message(audio) == nil)
        #expect(try JSONDecoder().decode(EncodeSettings.self, from: JSONEncoder().encode(audio)).audioBitrate == 128_000)
    }
}
