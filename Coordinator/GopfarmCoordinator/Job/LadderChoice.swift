import GopfarmCommon

/// What an automatic ladder's probe measured and chose: kept with the job (`ladder.json`) and
/// drawn in its report (`LadderPlot`).
public struct LadderChoice: Codable, Sendable {
    /// The plan's segments that were probed, and how long they play.
    public var sampleSegments: [Int]
    public var sampleSeconds: Double
    /// Every size × CRF encode of the sample (uncapped), and the reference ladder's rungs.
    public var points: [ProbePoint]
    public var reference: [ProbePoint]
    /// The reference rungs' names (those no taller than the source).
    public var referenceNames: [String]
    public var chosen: [ChosenRung]
    /// The rungs the job then encodes.
    public var rungs: [LadderRung]
    /// Bjøntegaard delta rate of the chosen rungs (hull predictions) against the reference
    /// ladder on the sample: negative means fewer bits at equal PSNR. nil: the curves do not overlap.
    public var bdRateAgainstReference: Double?

    /// The report's rate-quality plot.
    public var plot: LadderPlot {
        LadderPlot(points: points, rungs: chosen,
                   fixed: zip(reference, referenceNames).map { ($0.bitrate, $0.psnr, $1) }, fixedTitle: "fixed ladder \(LadderProbe.reference)")
    }
}
