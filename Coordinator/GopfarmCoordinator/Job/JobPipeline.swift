import Foundation
import GopfarmCommon
import Logging

/// One job's way through the farm, the same for `gopfarm transcode`, `gopfarm analyze` and
/// `gopfarm serve`: probe → plan (`init`) → dispatch (`dispatchJob`, run by a dispatcher:
/// `LocalFarm`'s private one for the one-shot commands, the service's shared one for `serve`)
/// → stitch → analyze (`finish`) → record (the caller's: a report, files, or the job store).
///
/// The steps are blocking libav work: callers run them on their own threads, never on Swift's
/// cooperative pool.
public struct JobPipeline: Sendable {
    /// What `finish` made: the output (when encoding), every warning, the merged analysis (when
    /// asked; its failure is the caller's to judge), and the seconds each step took.
    public struct Finished: Sendable {
        public var stitched: StitchReport?
        /// A ladder job's packaged output (instead of `stitched`), with each rung's measured quality.
        public var packaged: PackageReport?
        public var renditionQuality: [SegmentQuality?]?
        public var warnings: [String]
        public var analysis: Result<JobAnalysis, any Error>?
        public var stitchSeconds: Double
        public var analysisSeconds: Double?
    }

    public let prepared: PreparedJob
    /// `.analyze`: the agents decode and analyze, nothing is encoded or stitched.
    public let mode: SegmentMode
    /// Per-frame analysis on the agents, merged after the stitch (nil: none).
    public let analysis: AnalysisSettings?

    /// Probe and plan: a bad input, encoder setting or container is one sentence here. `slots`:
    /// segments the farm runs at once, so the plan fills its last round (`SegmentPlanner`);
    /// `checkedOutput`: an output checked, before any agent works, to hold the encoder's codec.
    /// `probeProgress` hears how far the probe's reading is (`MediaProbe.Progress`).
    public init(input: String, settings: EncodeSettings, segmentSeconds: Double, slots: Int, mode: SegmentMode = .encode,
                analysis: AnalysisSettings? = nil, checkedOutput: String? = nil, probeProgress: MediaProbe.Progress? = nil) throws(MediaError) {
        try self.init(input: input, settings: settings, segmentSeconds: segmentSeconds, slotsWhenProbed: { slots }, mode: mode,
                      analysis: analysis, checkedOutput: checkedOutput, probeProgress: probeProgress)
    }

    /// As above, with the slots asked for once the input is probed (`serve` waits there for
    /// agents when none is connected: `SlotSettling`).
    public init(input: String, settings: EncodeSettings, segmentSeconds: Double, slotsWhenProbed: () -> Int, mode: SegmentMode = .encode,
                analysis: AnalysisSettings? = nil, checkedOutput: String? = nil, probeProgress: MediaProbe.Progress? = nil) throws(MediaError) {
        self.mode = mode
        self.analysis = analysis
        prepared = try PreparedJob(input: input, settings: settings, segmentSeconds: segmentSeconds, slotsWhenProbed: slotsWhenProbed,
                                   checkingEncoder: mode == .encode, outputPath: checkedOutput, probeProgress: probeProgress)
    }

    private init(prepared: PreparedJob, mode: SegmentMode, analysis: AnalysisSettings?) {
        self.prepared = prepared
        self.mode = mode
        self.analysis = analysis
    }

    /// `--ladder auto`: the probe the agents run before the job (nil: the rungs are known).
    public func ladderProbe(sceneStarts: [Int]? = nil) throws(MediaError) -> LadderProbe? {
        guard prepared.settings.ladder?.auto == true else { return nil }
        return try LadderProbe(prepared: prepared, sceneStarts: sceneStarts)
    }

    /// The same job with the rungs an automatic ladder's probe chose.
    public func choosingLadder(_ choice: LadderChoice) throws(MediaError) -> JobPipeline {
        JobPipeline(prepared: try prepared.choosingRungs(choice.rungs), mode: mode, analysis: analysis)
    }

    public func logPlan(_ logger: Logger, job: String? = nil) {
        let plan = prepared.plan
        var metadata: Logger.Metadata = ["segments": "\(plan.segments.count)", "frames": "\(plan.expectedFrames)",
                                         "primed": "\(plan.segments.filter(\.isPrimed).count)"]
        if let job { metadata["job"] = "\(job)" }
        logger.info("planned", metadata: metadata)
    }

    /// The same job with the splits its dispatcher made before a restart (`PreparedJob.splitting`).
    public func splitting(_ splits: [PlanSplit]) throws(MediaError) -> JobPipeline {
        splits.isEmpty ? self : JobPipeline(prepared: try prepared.splitting(splits), mode: mode, analysis: analysis)
    }

    /// The job as a dispatcher runs it.
    public func dispatchJob(id: String, spool: URL, priority: JobPriority = .normal, owner: String = "local",
                            maxAgents: Int? = nil) -> DispatchJob {
        var job = prepared.dispatchJob(id: id, spool: spool, priority: priority, owner: owner, analysis: analysis, mode: mode)
        job.maxAgents = maxAgents
        return job
    }

    /// Opens the input for the dispatcher's segment extraction.
    public var extractor: @Sendable () throws(MediaError) -> SegmentExtractor {
        let prepared = self.prepared
        return { () throws(MediaError) in try prepared.makeExtractor() }
    }

    /// Stitches the completed segments into `outputPath` (when encoding) while their analyses
    /// merge on another thread (when asked), with scene pictures in `thumbnails`;
    /// `replacingThumbnails` first removes the pictures an earlier run left there (nothing else). Both only read the
    /// spool and write different files, so the end of a job is the longer of the two, not their sum.
    /// `plan`: the one the dispatcher finished with (its splits made; nil: the job's own).
    public func finish(_ completed: [CompletedSegment], plan: SegmentPlan? = nil, outputPath: String?, thumbnails: URL?,
                       replacingThumbnails: Bool = true) throws(MediaError) -> Finished {
        let prepared = plan.map { self.prepared.withPlan($0) } ?? self.prepared
        let started = MonotonicClock.now()
        var finished = Finished(stitched: nil, warnings: prepared.warnings, analysis: nil, stitchSeconds: 0, analysisSeconds: nil)
        let merging = analysis.map { settings in
            if replacingThumbnails, let thumbnails { ReportFiles.removePictures(in: thumbnails) }
            return BackgroundResult(label: "gopfarm-analysis-merge") {
                try prepared.mergeAnalyses(completed, settings: settings, thumbnails: thumbnails)
            }
        }
        // On every path: the caller removes the spool the merge reads once this returns.
        defer { _ = merging?.value() }
        if mode == .encode, let outputPath, let ladder = prepared.settings.ladder {
            (finished.packaged, finished.warnings) = try prepared.package(completed, directory: URL(fileURLWithPath: outputPath))
            finished.renditionQuality = ladder.rungs.indices.map { i in
                SegmentQuality.merged(completed.compactMap { $0.result.renditions?[safe: i]?.quality })
            }
        } else if mode == .encode, let outputPath {
            (finished.stitched, finished.warnings) = try prepared.stitch(completed, outputPath: outputPath)
        }
        finished.stitchSeconds = MonotonicClock.now() - started
        if let merging {
            let (merged, seconds) = merging.value()
            // What was written, probed once it is complete.
            finished.analysis = merged.map { analysis in
                var analysis = analysis
                analysis.output = outputPath.flatMap { try? MediaProbe(path: $0).info }
                return analysis
            }
            finished.analysisSeconds = seconds
        }
        return finished
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
