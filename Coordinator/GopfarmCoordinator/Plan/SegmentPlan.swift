import GopfarmCommon

/// The cut of one input into GOP-aligned segments whose frame ranges partition its frames.
public struct SegmentPlan: Sendable, Codable {
    public var segments: [PlannedSegment]
    public var timeBase: Rational
    /// Shown frames before the first random access point (cannot be decoded; reported).
    public var skippedLeadingFrames: Int
    public var totalFrames: Int
    /// Frames whose timestamps repeat or jump back (a damaged file), nil on a sound one. Such a
    /// video is one segment, decoded start to end as FFmpeg's tools decode it: the agent keeps
    /// every frame the decoder shows, in its order, one whose time does not move forward timed a
    /// frame after the one before; the segment is checked for at most its count, not exactly.
    public var disorderedFrames: Int?

    public var expectedFrames: Int { segments.reduce(0) { $0 + $1.expectedFrames } }
}
