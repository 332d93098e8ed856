import GopfarmCommon

/// The cut of one input into GOP-aligned segments whose frame ranges partition its frames.
public struct SegmentPlan: Sendable, Codable {
    public var segments: [PlannedSegment]
    public var timeBase: Rational
    /// Shown frames before the first random access point (cannot be decoded; reported).
    public var skippedLeadingFrames: Int
    public var totalFrames: Int

    public var expectedFrames: Int { segments.reduce(0) { $0 + $1.expectedFrames } }
}
