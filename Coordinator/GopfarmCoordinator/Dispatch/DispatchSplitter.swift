import GopfarmCommon

/// Keeps the end of a job even when the slots change under it. Before the dispatcher hands out
/// a segment no one has started, it compares the segment with the slots' share of the work left
/// (the frames not yet handed out plus those running leases still have to do, over the job's
/// usable slots); a segment more than a quarter longer than its share is cut in two at the share,
/// and the second part waits its turn. Agents that join a running job thus get parts cut for
/// them, and the last round ends together instead of one slot finishing a whole segment alone.
/// Parts never get shorter than `minimumFrames` (a quarter of the job's segment length).
public struct DispatchSplitter: Sendable {
    public var minimumFrames: Int
    /// The plan with one segment cut (`SegmentPlanner.split`); nil where it cannot be cut there.
    public var cut: @Sendable (SegmentPlan, PlanSplit) -> SegmentPlan?

    public init(minimumFrames: Int, cut: @escaping @Sendable (SegmentPlan, PlanSplit) -> SegmentPlan?) {
        self.minimumFrames = max(1, minimumFrames)
        self.cut = cut
    }

    /// The floor for a job cut at `targetSeconds`: a quarter of a segment, in frames.
    public static func minimumFrames(targetSeconds: Double, framesPerSecond: Double) -> Int {
        max(1, Int(targetSeconds / 4 * framesPerSecond))
    }

    /// A segment is cut when it is this much longer than its share.
    static let tolerance = 1.25

    /// Where to cut a segment of `frames` frames whose share of the work left is `share` frames;
    /// nil: hand it out whole.
    func split(frames: Int, share: Int) -> Int? {
        guard Double(frames) > Double(share) * Self.tolerance else { return nil }
        let first = max(share, minimumFrames)
        return frames - first >= minimumFrames ? first : nil
    }
}
