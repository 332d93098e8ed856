import CFFmpeg

/// What a key-frame-flagged packet really is, judged from the bitstream, not the container flag.
public enum RandomAccessKind: UInt8, Codable, Sendable {
    /// Not a key frame at all.
    case none = 0
    /// Decoding can start here and nothing shown after it references earlier pictures
    /// (H.264/HEVC IDR, MPEG-2 closed GOP, VP8/VP9/AV1 key frames, intra-only codecs).
    case closed = 1
    /// Decoding can start here, but leading pictures (shown before it) reference the previous
    /// GOP (HEVC CRA/BLA, H.264 I-frame with recovery point, MPEG-2 open GOP): the segment needs
    /// the previous GOP as priming.
    case open = 2
    /// Flagged as a key frame by the container, but the bitstream says it is not a random access
    /// point; never a boundary.
    case falseKey = 3
    /// An H.264 I-frame that neither the container nor a recovery point SEI announces, and not
    /// an IDR. FFmpeg's decoder starts at one when nothing better comes first (files cut
    /// mid-stream, cameras that never write IDRs), so it can open a file's first segment; it is
    /// never a cut point between segments, where later frames may still reference earlier ones.
    case intra = 4

    public var isBoundaryCandidate: Bool { self == .closed || self == .open }
}

/// Classifies key frames of the codecs whose containers are known to lie about key frames.
public struct RandomAccessClassifier: Sendable {
    public let codecID: UInt32
    let nalLengthSize: Int?  // nil: Annex B start codes

    public init(parameters: CodecParameters) {
        codecID = parameters.codecID
        let extra = Array(parameters.extradata)
        if parameters.codecID == AV_CODEC_ID_H264.rawValue, extra.count >= 7, extra[0] == 1 {
            nalLengthSize = Int(extra[4] & 3) + 1
        } else if parameters.codecID == AV_CODEC_ID_HEVC.rawValue, extra.count >= 23, extra[0] == 1 {
            nalLengthSize = Int(extra[21] & 3) + 1
        } else {
            nalLengthSize = nil
        }
    }

    public func classify(_ data: UnsafeRawBufferPointer, keyFlag: Bool) -> RandomAccessKind {
        switch codecID {
        case AV_CODEC_ID_H264.rawValue: return classifyH264(data, keyFlag: keyFlag)
        case AV_CODEC_ID_HEVC.rawValue: return classifyHEVC(data, keyFlag: keyFlag)
        case AV_CODEC_ID_MPEG2VIDEO.rawValue, AV_CODEC_ID_MPEG1VIDEO.rawValue:
            return keyFlag ? classifyMPEG2(data) : .none
        case AV_CODEC_ID_VP8.rawValue, AV_CODEC_ID_VP9.rawValue, AV_CODEC_ID_AV1.rawValue,
             AV_CODEC_ID_FFV1.rawValue, AV_CODEC_ID_MJPEG.rawValue, AV_CODEC_ID_PRORES.rawValue,
             AV_CODEC_ID_RAWVIDEO.rawValue, AV_CODEC_ID_DNXHD.rawValue, AV_CODEC_ID_HUFFYUV.rawValue,
             AV_CODEC_ID_UTVIDEO.rawValue, AV_CODEC_ID_PNG.rawValue:
            return keyFlag ? .closed : .none
        default:
            // Unknown inter codecs: trust the flag, but prime from the previous GOP to be safe.
            return keyFlag ? .open : .none
        }
    }

    private func nalUnits(_ data: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) {
        NALUnits.forEach(in: data, lengthSize: nalLengthSize, body)
    }

    private func classifyH264(_ data: UnsafeRawBufferPointer, keyFlag: Bool) -> RandomAccessKind {
        var sawIDR = false, sawRecoveryPoint = false, sawISlice = false, sawSlice = false
        nalUnits(data) { nal in
            guard nal.count > 1 else { return true }
            let type = nal[0] & 0x1F
            switch type {
            case 5:
                sawIDR = true
                return false
            case 6:
                // SEI: payload type 6 is a recovery point.
                if nal.count > 1, nal[1] == 6 { sawRecoveryPoint = true }
            case 1:
                if !sawSlice {
                    sawSlice = true
                    var reader = BitReader(UnsafeRawBufferPointer(rebasing: nal[1...]))
                    _ = reader.readUE()
                    if let sliceType = reader.readUE(), sliceType % 5 == 2 || sliceType % 5 == 4 { sawISlice = true }
                }
            default: break
            }
            return true
        }
        if sawIDR { return .closed }
        if sawRecoveryPoint && (sawISlice || keyFlag) { return .open }
        if keyFlag { return sawISlice ? .open : .falseKey }
        return sawISlice ? .intra : .none
    }

    private func classifyHEVC(_ data: UnsafeRawBufferPointer, keyFlag: Bool) -> RandomAccessKind {
        var kind: RandomAccessKind? = nil
        var sawVCL = false
        nalUnits(data) { nal in
            guard nal.count > 1 else { return true }
            let type = (nal[0] >> 1) & 0x3F
            if type <= 31 { sawVCL = true }
            switch type {
            case 19, 20: kind = .closed; return false
            case 16, 17, 18, 21: kind = .open; return false
            default: return true
            }
        }
        if let kind { return kind }
        return keyFlag && sawVCL ? .falseKey : (keyFlag ? .falseKey : .none)
    }

    private func classifyMPEG2(_ data: UnsafeRawBufferPointer) -> RandomAccessKind {
        var i = 0
        while i + 7 < data.count {
            if data[i] == 0, data[i + 1] == 0, data[i + 2] == 1 {
                let code = data[i + 3]
                if code == 0xB8 {
                    let closedGOP = (data[i + 7] >> 6) & 1
                    return closedGOP == 1 ? .closed : .open
                }
                if code == 0x00 { break }  // first picture header: no GOP header before it
                i += 4
            } else {
                i += 1
            }
        }
        return .open
    }
}
