/// One rung's share of a ladder segment's result: its encoded bytes and, when measured, its
/// quality against the source at the source's size.
public struct RenditionResult: Codable, Sendable, Equatable {
    public var bytes: Int
    public var quality: SegmentQuality?

    public init(bytes: Int, quality: SegmentQuality? = nil) {
        self.bytes = bytes
        self.quality = quality
    }
}
