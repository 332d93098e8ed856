/// One segment of a running job cut in two (`SegmentPlanner.split`): the dispatcher splits the
/// next segment it hands out when it is longer than the slots' share of the work left, and the
/// store keeps the splits in order so a restarted coordinator cuts the same plan.
public struct PlanSplit: Sendable, Equatable, Codable {
    /// The segment cut (its index in the plan before the cut).
    public var segment: Int
    /// Frames the first part keeps; the second part is `segment + 1`.
    public var frames: Int

    public init(segment: Int, frames: Int) {
        self.segment = segment
        self.frames = frames
    }
}
