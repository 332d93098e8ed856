import GopfarmCommon

/// One segment of the plan: which packets an agent gets and exactly which frames it returns.
public struct PlannedSegment: Sendable, Equatable, Codable {
    public var index: Int
    /// First packet sent (decode order): the previous GOP when this segment needs priming.
    public var primingPacket: Int
    /// The key frame this segment starts at.
    public var startPacket: Int
    /// One past the last packet.
    public var endPacket: Int
    /// Frames kept: presentation time in `[startPTS, endPTS)` (source time base).
    public var startPTS: Int64
    public var endPTS: Int64?
    public var expectedFrames: Int
    public var firstPTS: Int64
    public var lastPTS: Int64
    /// The segment contains packets the demuxer flagged as damaged.
    public var containsCorruptPackets: Bool

    public var isPrimed: Bool { primingPacket < startPacket }
    public var packetCount: Int { endPacket - primingPacket }
}
