/// One video packet as the probe saw it: 32 bytes, so a 10-minute 60 fps input costs ~1 MB.
public struct VideoPacketRecord: Sendable, Equatable {
    public var pts: Int64
    public var dts: Int64
    public var position: Int64
    public var size: Int32
    public var randomAccess: RandomAccessKind
    /// Hidden by the container (edit list): decoded for references, never shown.
    public var discard: Bool
    /// Shorter than the container promised (truncated file) or flagged corrupt by the demuxer.
    public var corrupt: Bool

    public var isShown: Bool { !discard && pts != noPTS }

    public init(pts: Int64, dts: Int64, position: Int64, size: Int32, randomAccess: RandomAccessKind, discard: Bool, corrupt: Bool) {
        self.pts = pts
        self.dts = dts
        self.position = position
        self.size = size
        self.randomAccess = randomAccess
        self.discard = discard
        self.corrupt = corrupt
    }
}

/// The video packets of a file in decode order: what the planner cuts and the extractor finds.
public struct VideoPacketIndex: Sendable {
    public var records: [VideoPacketRecord] = []
    public init() {}

    public var count: Int { records.count }
    public var keyFrameIndices: [Int] { records.indices.filter { records[$0].randomAccess.isBoundaryCandidate } }
    public var shownCount: Int { records.reduce(0) { $0 + ($1.isShown ? 1 : 0) } }
}
