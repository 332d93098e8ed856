import CFFmpeg
import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// The frame model counts what a decoder shows: hidden VP9/AV1 frames and second fields are
/// packets without a picture of their own.
@Suite("Frame model")
struct FrameInspectorTests {
    func inspector(_ codec: AVCodecID) throws -> FrameInspector {
        var p = try MediaProbe(path: try Fixture.h264BFramesMP4.path()).videoParameters
        p.codecID = codec.rawValue
        p.extradata = Data()
        return FrameInspector(parameters: p)
    }

    func shows(_ inspector: inout FrameInspector, _ bytes: [UInt8], key: Bool = false) -> Bool {
        bytes.withUnsafeBytes { inspector.inspect($0, keyFlag: key).shows }
    }

    @Test func vp9() throws {
        var i = try inspector(AV_CODEC_ID_VP9)
        // frame_marker 10, profile 00, show_existing_frame, frame_type, show_frame.
        let hidden: [UInt8] = [0b1000_0100, 0], shown: [UInt8] = [0b1000_0110, 0], existing: [UInt8] = [0b1000_1000]
        #expect(!shows(&i, hidden))
        #expect(shows(&i, shown))
        #expect(shows(&i, existing))
        // A superframe of a hidden alt-ref and a shown frame: one picture.
        #expect(shows(&i, hidden + shown + [0xC1, 2, 2, 0xC1]))
        // Two hidden frames in a superframe: none.
        #expect(!shows(&i, hidden + hidden + [0xC1, 2, 2, 0xC1]))
    }

    @Test func av1() throws {
        var i = try inspector(AV_CODEC_ID_AV1)
        // OBU_FRAME_HEADER with a size field; show_existing_frame 0, frame_type 01, show_frame.
        let delimiter: [UInt8] = [0x12, 0]
        #expect(!shows(&i, delimiter + [0x1A, 1, 0b0010_0000]))
        #expect(shows(&i, delimiter + [0x1A, 1, 0b0011_0000]))
        #expect(shows(&i, delimiter + [0x1A, 1, 0b1000_0000]))  // show_existing_frame
        // A sequence header with reduced_still_picture_header: every frame is shown.
        #expect(shows(&i, [0x0A, 1, 0b0000_1000] + [0x1A, 1, 0b0010_0000]))
    }

    @Test("PAFF camera file: 26 field packets, 13 frames, top field first",
          .enabled(if: TestPaths.sharedMediaNew != nil, "../shared/media-new is absent"))
    func fieldPairs() throws {
        let probe = try MediaProbe(path: TestPaths.sharedMediaNew!.appendingPathComponent("mei__sony_a7m3.mts").path)
        #expect(probe.index.count == 26)
        #expect(probe.index.shownCount == 13)
        #expect(probe.info.frameCount == 13)
        let shown = probe.index.records.filter(\.isShown)
        // Each frame lasts both of its fields.
        #expect(shown.dropLast().allSatisfy { $0.duration == 3600 }, "\(shown.map(\.duration))")
    }
}
