import Foundation
import GopfarmCommon

/// `--ladder auto`, the measuring half: before the job runs, the agents encode a few of its
/// segments (`ProbeSample`) at every size × CRF of the `ProbeGrid`, uncapped, plus the fixed
/// reference ladder, all from one decode of each segment (the probe is itself a ladder job);
/// each encode's PSNR is measured on its upscale to the source size. `choose` builds the
/// title's rate-quality hull from them and picks the rungs (`LadderChooser`).
public struct LadderProbe: Sendable {
    /// The fixed ladder an automatic one is compared with (the example ladder).
    public static let reference = "1080p:6M,720p:3M,480p:1.2M,360p:700k"

    /// The chosen rate is the uncapped probe encode's average; a cap there would starve every
    /// IDR (many times an average frame) and the rung would fall far below the quality the probe
    /// measured (45.4 instead of 49.7 dB on a noisy static 1080p title). The rung is capped at
    /// twice the average (bufsize twice that), as per-title encoders cap at 1.5–2× the target:
    /// the cap binds only on peaks, and players get the measured peak as BANDWIDTH.
    public static let capHeadroom = 2.0

    public let prepared: PreparedJob
    public let grid: ProbeGrid
    /// Indices into the job's plan.
    public let sample: [Int]
    /// Grid encodes first (in `grid.encodes` order), then the reference ladder's rungs that fit.
    public let rungs: [LadderRung]
    public let referenceCount: Int

    public init(prepared: PreparedJob, sceneStarts: [Int]? = nil) throws(MediaError) {
        self.prepared = prepared
        let p = prepared.probe.videoParameters
        let sar = p.sampleAspectRatio
        let displayWidth = sar.isValid && sar.num > 0 ? Int((Double(p.width) * Double(sar.num) / Double(sar.den)).rounded()) : Int(p.width)
        grid = try ProbeGrid(sourceWidth: displayWidth, sourceHeight: Int(p.height))
        sample = ProbeSample.segments(frameCounts: prepared.plan.segments.map(\.expectedFrames), sceneStarts: sceneStarts)
        var rungs = grid.encodes.map { e in
            LadderRung(name: "probe-\(e.resolution.height)p-crf\(JobRules.show(e.crf))", height: e.resolution.height, bitrate: 0, crf: e.crf)
        }
        let reference = ((try? Ladder(parsing: Self.reference))?.rungs ?? []).filter { $0.height <= Int(p.height) }
        rungs += reference.map { LadderRung(name: "reference-\($0.name)", height: $0.height, bitrate: $0.bitrate) }
        self.rungs = rungs
        referenceCount = reference.count
    }

    /// The probe as a dispatcher runs it: the sampled segments, every probe rung, quality on.
    public func dispatchJob(id: String, spool: URL, priority: JobPriority = .normal, owner: String = "local") -> DispatchJob {
        var settings = prepared.settings
        settings.ladder?.auto = false
        settings.ladder?.rungs = rungs
        var plan = prepared.plan
        plan.segments = sample.enumerated().map { position, n in
            var s = prepared.plan.segments[n]
            s.index = position
            return s
        }
        plan.skippedLeadingFrames = 0
        return DispatchJob(id: id, plan: plan, settings: settings, frameRate: prepared.frameRate, spool: spool, priority: priority,
                           owner: owner, analysis: AnalysisSettings(quality: true), mode: .encode,
                           startSeconds: prepared.probe.info.streams.compactMap(\.startTime).min() ?? 0)
    }

    /// The rate and quality of every probe encode over the sample, the rungs chosen from them,
    /// and how the choice compares with the reference ladder on the same frames.
    public func choose(_ completed: [CompletedSegment], chooser: LadderChooser = LadderChooser()) throws(MediaError) -> LadderChoice {
        let frames = completed.reduce(0) { $0 + $1.result.frames }
        let seconds = Double(frames) * Double(prepared.frameRate.den) / Double(max(1, prepared.frameRate.num))
        guard frames > 0, seconds > 0, completed.allSatisfy({ $0.result.renditions?.count == rungs.count }) else {
            throw MediaError(.segmentMismatch, "the ladder probe returned no usable measurements")
        }
        var points: [ProbePoint] = []
        for (i, rung) in rungs.enumerated() {
            let parts = completed.map { $0.result.renditions![i] }
            let bits = Double(parts.reduce(0) { $0 + $1.bytes }) * 8
            guard let quality = SegmentQuality.merged(parts.compactMap(\.quality)) else {
                throw MediaError(.segmentMismatch, "the ladder probe could not measure the quality of \(rung.name)")
            }
            let width = ProbeGrid.width(forHeight: rung.height, sourceWidth: grid.resolutions.first?.width ?? rung.height, sourceHeight: grid.resolutions.first?.height ?? rung.height)
            points.append(ProbePoint(width: width, height: rung.height, crf: rung.crf ?? 0, bitrate: bits / seconds,
                                     psnr: quality.psnrAll, ssim: quality.ssimY))
        }
        let gridPoints = Array(points.prefix(rungs.count - referenceCount))
        let referencePoints = Array(points.suffix(referenceCount))
        let chosen = chooser.choose(points: gridPoints)
        guard !chosen.isEmpty else { throw MediaError(.segmentMismatch, "the ladder probe found no rung worth encoding") }
        // Two rungs may share a size (at different rates): named apart as `--ladder` names them.
        let ladderRungs = Ladder.namedApart(chosen.map { c -> LadderRung in
            var rung = c.ladderRung()
            rung.bitrate = Int(Double(c.maxrate) * Self.capHeadroom)
            return rung
        }, given: [])
        let anchor = referencePoints.map { (rate: $0.bitrate, quality: $0.psnr) }
        let test = chosen.map { (rate: Double($0.maxrate), quality: $0.expectedPSNR) }
        let bdRate = test.count == 1 ? BDRate.percent(anchor: anchor, at: test[0]) : BDRate.percent(anchor: anchor, test: test)
        return LadderChoice(sampleSegments: sample, sampleSeconds: seconds, points: gridPoints, reference: referencePoints,
                            referenceNames: rungs.suffix(referenceCount).map { String($0.name.dropFirst("reference-".count)) }, chosen: chosen, rungs: ladderRungs, bdRateAgainstReference: bdRate)
    }
}
