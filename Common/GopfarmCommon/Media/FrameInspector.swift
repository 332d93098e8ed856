import CFFmpeg

/// What one video packet contributes to the decoder's output, judged from the bitstream.
public struct PacketTraits: Sendable, Equatable {
    public var randomAccess: RandomAccessKind
    /// The packet adds a picture to the decoder's output. False for VP9/AV1 frames decoded only
    /// for reference and for the second field of an H.264 field pair, which completes the frame
    /// its first field began (shown at the first field's time).
    public var shows: Bool
    /// For a field-coded (PAFF) H.264 picture, the parity of this field.
    public var field: H264Field?
}

public enum H264Field: Sendable, Equatable { case top, bottom }

/// The frame model the probe builds the index with: counts what a decoder shows, not packets.
///
/// Stateful, fed every video packet in decode order: field pairing needs the previous picture,
/// H.264 slice headers need the parameter sets seen so far, AV1 frame headers the sequence
/// header. Only H.264, VP9 and AV1 need more than the key-frame flag; other codecs' packets are
/// frames (HEVC and MPEG-2 field pictures come out of FFmpeg's decoders one per packet too).
public struct FrameInspector: Sendable {
    private let classifier: RandomAccessClassifier
    private var h264: H264SyntaxReader?
    private var av1: AV1FrameHeader?
    /// A first field waiting for its second: parity and frame_num.
    private var openField: (H264Field, Int)?
    /// Field pairs seen, by which parity came first.
    public private(set) var topFieldFirstPairs = 0
    public private(set) var bottomFieldFirstPairs = 0

    public init(parameters: CodecParameters) {
        classifier = RandomAccessClassifier(parameters: parameters)
        let extradata = Array(parameters.extradata)
        switch parameters.codecID {
        case AV_CODEC_ID_H264.rawValue:
            var reader = H264SyntaxReader()
            reader.learn(extradata: extradata)
            h264 = reader
        case AV_CODEC_ID_AV1.rawValue:
            var reader = AV1FrameHeader()
            reader.learn(extradata: extradata)
            av1 = reader
        default: break
        }
    }

    /// True when every packet must be inspected; otherwise only key-flagged ones need to be.
    public var inspectsEveryPacket: Bool {
        h264 != nil || av1 != nil || classifier.codecID == AV_CODEC_ID_VP9.rawValue
    }

    public mutating func inspect(_ data: UnsafeRawBufferPointer, keyFlag: Bool) -> PacketTraits {
        let kind = keyFlag || inspectsEveryPacket ? classifier.classify(data, keyFlag: keyFlag) : .none
        switch classifier.codecID {
        case AV_CODEC_ID_H264.rawValue:
            return inspectH264(data, kind: kind)
        case AV_CODEC_ID_VP9.rawValue:
            return PacketTraits(randomAccess: kind, shows: VP9FrameHeader.showsFrame(data), field: nil)
        case AV_CODEC_ID_AV1.rawValue:
            return PacketTraits(randomAccess: kind, shows: av1!.showsFrame(data), field: nil)
        default:
            return PacketTraits(randomAccess: kind, shows: true, field: nil)
        }
    }

    private mutating func inspectH264(_ data: UnsafeRawBufferPointer, kind: RandomAccessKind) -> PacketTraits {
        var slice: H264SyntaxReader.Slice?
        NALUnits.forEach(in: data, lengthSize: classifier.nalLengthSize) { nal in
            guard let header = nal.first else { return true }
            switch header & 0x1F {
            case 7, 8:
                h264!.readParameterSet(nal)
                return true
            case 1, 5:
                slice = h264!.slice(nal)
                return false
            default:
                return true
            }
        }
        guard let slice, slice.structure != .frame else {
            openField = nil
            return PacketTraits(randomAccess: kind, shows: true, field: nil)
        }
        let parity: H264Field = slice.structure == .top ? .top : .bottom
        // The second field of a pair: opposite parity, same frame_num, right after the first
        // (H.264 7.4.1.2.4). It completes the frame; FFmpeg outputs the pair once.
        if let (first, frameNum) = openField, first != parity, frameNum == slice.frameNum {
            openField = nil
            if first == .top { topFieldFirstPairs += 1 } else { bottomFieldFirstPairs += 1 }
            let second: RandomAccessKind = kind == .falseKey ? .falseKey : .none
            return PacketTraits(randomAccess: second, shows: false, field: parity)
        }
        openField = (parity, slice.frameNum)
        return PacketTraits(randomAccess: kind, shows: true, field: parity)
    }
}
