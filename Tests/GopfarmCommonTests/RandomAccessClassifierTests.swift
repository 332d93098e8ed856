import CFFmpeg
import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// Key frames are judged from the bitstream: containers lie.
@Suite("Random access classification")
struct RandomAccessClassifierTests {
    func params(_ codec: AVCodecID) -> CodecParameters {
        var p = try! MediaProbe(path: try! Fixture.h264BFramesMP4.path()).videoParameters
        p.codecID = codec.rawValue
        p.extradata = Data()  // Annex B
        return p
    }

    func classify(_ codec: AVCodecID, _ bytes: [UInt8], key: Bool) -> RandomAccessKind {
        bytes.withUnsafeBytes { RandomAccessClassifier(parameters: params(codec)).classify($0, keyFlag: key) }
    }

    @Test func h264() {
        let idr: [UInt8] = [0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0x65, 0x88, 0x80]
        #expect(classify(AV_CODEC_ID_H264, idr, key: true) == .closed)
        // Non-IDR slice, first_mb 0 (1), slice_type 7 = I (0001000): an I-frame → open GOP.
        let iSlice: [UInt8] = [0, 0, 1, 0x41, 0b1000_1000, 0]
        #expect(classify(AV_CODEC_ID_H264, iSlice, key: true) == .open)
        // slice_type 5 = P (00110): flagged key by the container, but not a random access point.
        let pSlice: [UInt8] = [0, 0, 1, 0x41, 0b1001_1000, 0]
        #expect(classify(AV_CODEC_ID_H264, pSlice, key: true) == .falseKey)
        #expect(classify(AV_CODEC_ID_H264, pSlice, key: false) == RandomAccessKind.none)
        let recovery: [UInt8] = [0, 0, 1, 0x06, 0x06, 0x01, 0x80, 0, 0, 1, 0x41, 0b1000_1000]
        #expect(classify(AV_CODEC_ID_H264, recovery, key: true) == .open)
    }

    @Test func hevc() {
        #expect(classify(AV_CODEC_ID_HEVC, [0, 0, 1, 19 << 1, 1, 0xAF], key: true) == .closed)  // IDR_W_RADL
        #expect(classify(AV_CODEC_ID_HEVC, [0, 0, 1, 21 << 1, 1, 0xAF], key: true) == .open)  // CRA
        #expect(classify(AV_CODEC_ID_HEVC, [0, 0, 1, 1 << 1, 1, 0xAF], key: true) == .falseKey)  // TRAIL_R
    }

    @Test func mpeg2GOPHeader() {
        let closed: [UInt8] = [0, 0, 1, 0xB3, 1, 2, 3, 4, 0, 0, 1, 0xB8, 0, 8, 0, 0x40, 0, 0, 1, 0]
        let open: [UInt8] = [0, 0, 1, 0xB8, 0, 8, 0, 0x00, 0, 0, 1, 0]
        #expect(classify(AV_CODEC_ID_MPEG2VIDEO, closed, key: true) == .closed)
        #expect(classify(AV_CODEC_ID_MPEG2VIDEO, open, key: true) == .open)
        #expect(classify(AV_CODEC_ID_MPEG2VIDEO, [0, 0, 1, 0, 0, 0, 0, 0, 0], key: true) == .open)
    }

    @Test func probeFindsOpenGOPInGeneratedHEVC() throws {
        let probe = try MediaProbe(path: try Fixture.hevcOpenGOPMKV.path())
        #expect(probe.info.openGOP)
        #expect(probe.info.keyFrames.first?.kind == "closed")  // the stream starts with an IDR
        #expect(probe.info.keyFrames.dropFirst().allSatisfy { $0.kind == "open" })
    }
}
