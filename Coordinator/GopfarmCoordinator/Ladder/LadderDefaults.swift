/// Every default of the per-title ladder (`--ladder auto`) in one place, each with why.
///
/// The probe grid and the chooser read these; a caller may override any of them per job
/// (`ProbeGrid(…heights:crfs:)`, `LadderChooser(…)`).
public enum LadderDefaults {
    // MARK: Probe

    /// Heights the probe encodes at (those at or below the source's): the common streaming
    /// sizes. Above 1080 the ceiling (8 Mbit/s) rarely buys a visibly better 1440p/2160p.
    public static let probeHeights = [1080, 720, 540, 360, 240]
    /// The fewest resolutions a probe compares; a source smaller than the standard sizes adds
    /// its own height and halves of it, because one resolution has no hull to choose from.
    public static let minProbeResolutions = 2
    /// CRF values the probe encodes at, for x264 and x265 alike: 18 is near-transparent, 38
    /// visibly soft; steps of 5 roughly halve or double the rate each, so the grid spans about
    /// 16× in rate per resolution. (x265 gives fewer bits than x264 at the same number, which
    /// only moves its points left on the same grid.)
    public static let probeCRFs: [Double] = [18, 23, 28, 33, 38]
    /// Farm segments probed per title: enough to see more than one scene, few enough that the
    /// probe (resolutions × CRFs encodes of each) costs a small part of the job.
    public static let probeSegments = 3

    // MARK: Chooser

    /// The lowest rung's rate: below about 200 kbit/s a video rung is no longer worth watching.
    public static let bitrateFloor = 200_000.0
    /// The highest rung's rate: what common 1080p delivery tops out at.
    public static let bitrateCeiling = 8_000_000.0
    /// PSNR (dB, on the display-size upscale) past which more bits buy nothing visible: the
    /// ladder stops climbing at the rate where the hull reaches it.
    public static let qualityTarget = 45.0
    /// The least ratio between neighbouring rungs' rates: closer rungs make a player switch
    /// for a gain it cannot show.
    public static let minRungRatio = 1.5
    /// The most rungs a chosen ladder has.
    public static let maxRungs = 6
    /// The least PSNR step (dB) between neighbouring rungs: flat hulls (simple content that
    /// saturates early) get fewer rungs, since a step smaller than this is hardly visible.
    public static let minQualityStep = 1.5
}
