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

    /// What the job's report says about the choice: a ladder the probe measured as costlier
    /// than the fixed one (a short or odd sample can) is kept, and said so.
    public var warnings: [String] {
        guard let bd = bdRateAgainstReference, bd > 0 else { return [] }
        return [String(format: "the automatic ladder measured %.1f %% more bits than the fixed ladder %@ at equal PSNR on the probe's sample (ladder.html draws both); give --ladder with rungs for that one", bd, LadderProbe.reference)]
    }

    /// The report's rate-quality plot.
    public var plot: LadderPlot {
        LadderPlot(points: points, rungs: chosen,
                   fixed: zip(reference, referenceNames).map { ($0.bitrate, $0.psnr, $1) }, fixedTitle: "fixed ladder \(LadderProbe.reference)")
    }
}
