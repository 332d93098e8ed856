import CFFmpeg

/// One video packet as the probe saw it: 48 bytes, so a 10-minute 60 fps input costs 1.7 MB.
public struct VideoPacketRecord: Sendable, Equatable {
    public var pts: Int64
    public var dts: Int64
    public var duration: Int64
    public var position: Int64
    public var size: Int32
    /// The container's key-frame flag, as it was (whatever the bitstream says).
    public var keyFlag: Bool
    public var randomAccess: RandomAccessKind
    /// Hidden by the container (edit list): decoded for references, never shown.
    public var discard: Bool
    /// Shorter than the container promised (truncated file) or flagged corrupt by the demuxer.
    public var corrupt: Bool
    /// Decoded but adds no picture to the output (a VP9/AV1 frame not shown, the second field
    /// of an H.264 field pair): see `FrameInspector`.
    public var hidden: Bool

    /// The packet is a frame the decoder outputs (and the container does not hide).
    public var isShown: Bool { !discard && !hidden && pts != noPTS }

    /// The demuxer's packet flags, rebuilt.
    public var packetFlags: Int32 {
        (keyFlag ? gf_AV_PKT_FLAG_KEY() : 0) | (discard ? gf_AV_PKT_FLAG_DISCARD() : 0) | (corrupt ? gf_AV_PKT_FLAG_CORRUPT() : 0)
    }

    public init(pts: Int64, dts: Int64, duration: Int64 = 0, position: Int64, size: Int32, keyFlag: Bool = false,
                randomAccess: RandomAccessKind, discard: Bool, corrupt: Bool, hidden: Bool = false) {
        self.pts = pts
        self.dts = dts
        self.duration = duration
        self.keyFlag = keyFlag || randomAccess.isBoundaryCandidate || randomAccess == .falseKey
        self.position = position
        self.size = size
        self.randomAccess = randomAccess
        self.discard = discard
        self.corrupt = corrupt
        self.hidden = hidden
    }
}

/// The video packets of a file in decode order: what the planner cuts and the extractor finds.
public struct VideoPacketIndex: Sendable {
    public var records: [VideoPacketRecord] = []
    /// Each packet is exactly the `size` bytes at `position` in the file (MP4/MOV, checked by
    /// the probe): segments can be cut with `pread`, without a demuxer.
    public var directlyReadable = false
    public init() {}

    public var count: Int { records.count }
    public var keyFrameIndices: [Int] { records.indices.filter { records[$0].randomAccess.isBoundaryCandidate } }
    /// Where decoding of the file can start: its first random access point, or an earlier
    /// unannounced I-frame (`RandomAccessKind.intra`) that FFmpeg's decoder starts from.
    public var firstDecodablePacket: Int? {
        records.firstIndex { $0.randomAccess.isBoundaryCandidate || $0.randomAccess == .intra }
    }
    public var shownCount: Int { records.reduce(0) { $0 + ($1.isShown ? 1 : 0) } }
}
