import CFFmpeg
import GopfarmCommon
import Testing

/// The probe fills the presentation times a container leaves out with the ones FFmpeg's decoder
/// gives those frames (its best-effort timestamps, which `ffprobe -show_frames` lists).
@Suite("Missing presentation times")
struct PresentationTimeFillTests {
    func index(_ times: [(pts: Int64?, dts: Int64)]) -> VideoPacketIndex {
        var index = VideoPacketIndex()
        index.records = times.map {
            VideoPacketRecord(pts: $0.pts ?? noPTS, dts: $0.dts, duration: 1, position: -1, size: 1, randomAccess: .none, discard: false, corrupt: false)
        }
        return index
    }

    /// AVI, MPEG-4 with two B-frames: I P B B P B B; the reference pictures have no pts, the B
    /// pictures pts = dts. The decoder shows I at 1, the first P at 4, the last P at the end.
    @Test func aviReferencePicturesTakeTheNextReferencesDTS() {
        var i = index([(nil, 0), (nil, 1), (2, 2), (3, 3), (nil, 4), (5, 5), (6, 6)])
        PresentationTimeFill.fill(&i, reorderDelay: 1, bidirectional: [])
        #expect(i.records.map(\.pts) == [1, 4, 2, 3, 7, 5, 6])
    }

    /// A program stream leaves out the pts of a reference picture and of a B picture that share
    /// a pack with others; the B picture's is its dts, the reference's the next reference's dts.
    @Test func programStreamGapsFollowThePictureType() {
        var i = index([(1, 0), (4, 1), (nil, 2), (3, 3), (nil, 4), (5, 5), (6, 6), (10, 7)])
        PresentationTimeFill.fill(&i, reorderDelay: 1, bidirectional: [2])
        #expect(i.records.map(\.pts) == [1, 4, 2, 3, 7, 5, 6, 10])
    }

    /// Without reordering every frame comes out with its own packet.
    @Test func withoutReorderingPTSIsDTS() {
        var i = index([(nil, 0), (nil, 1), (nil, 2)])
        PresentationTimeFill.fill(&i, reorderDelay: 0, bidirectional: [])
        #expect(i.records.map(\.pts) == [0, 1, 2])
    }

    @Test func pictureTypes() {
        func b(_ bytes: [UInt8], _ codec: AVCodecID) -> Bool? {
            bytes.withUnsafeBytes { MPEGPictureType.isBidirectional($0, codecID: codec.rawValue) }
        }
        // MPEG-2: a GOP header, then picture_start_code, temporal_reference 10 bits, type 3 bits.
        let gop: [UInt8] = [0, 0, 1, 0xB8, 0, 8, 0, 0x40]
        #expect(b(gop + [0, 0, 1, 0, 0x00, 0b0001_1000, 0xFF, 0xF8], AV_CODEC_ID_MPEG2VIDEO) == true)
        #expect(b(gop + [0, 0, 1, 0, 0x00, 0b0000_1000, 0xFF, 0xF8], AV_CODEC_ID_MPEG2VIDEO) == false)
        // MPEG-4: vop_start_code, vop_coding_type in the top two bits (2 = B).
        #expect(b([0, 0, 1, 0xB6, 0b1000_0000, 0, 0], AV_CODEC_ID_MPEG4) == true)
        #expect(b([0, 0, 1, 0xB6, 0b0100_0000, 0, 0], AV_CODEC_ID_MPEG4) == false)
        #expect(b([0, 0, 1, 0xB3, 0, 0, 0, 0], AV_CODEC_ID_MPEG2VIDEO) == nil)
    }
}
