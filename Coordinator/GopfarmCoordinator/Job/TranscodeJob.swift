import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// Set by SIGINT/SIGTERM in the CLI: the job stops, agents are dismissed, nothing is left behind.
public let transcodeCancelled = Atomic<Bool>(false)

/// `gopfarm transcode`: the `JobPipeline` on a private farm of local (or remote) agents, recorded
/// as a `TranscodeReport`.
public struct TranscodeJob {
    public var options: TranscodeOptions
    public var logger: Logger

    public init(options: TranscodeOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Called about four times a second with the dispatcher's progress and the elapsed seconds.
    public typealias ProgressHandler = (DispatchProgress, Double) -> Void
    /// Called once the coordinator listens, with its endpoint (for remote agents).
    public typealias ListeningHandler = (String) -> Void

    /// `reading` hears the probe's progress through the input, before the dispatch's `progress`.
    public func run(listening: ListeningHandler = { _ in }, reading: MediaProbe.Progress? = nil,
                    progress: ProgressHandler = { _, _ in }) throws -> TranscodeReport {
        let started = MonotonicClock.now()
        try options.validate()
        var settings = options.settings
        settings.threads = options.threadsPerAgent
        let jobID = String(UUID().uuidString.prefix(8)).lowercased()
        let outputDir = options.outputDirectory.deletingLastPathComponent()
        for orphan in SpoolDirectory.removeOrphans(in: outputDir) {
            logger.info("removed a spool its killed run left", metadata: ["spool": "\(orphan)"])
        }
        let spoolDirectory = try SpoolDirectory.create(in: outputDir, id: jobID)
        let spool = spoolDirectory.url
        defer { spoolDirectory.finish(keep: options.keepSpool) }

        let farm = try LocalFarm(bind: options.bind, timing: options.timing, agents: options.agents,
                                 threadsPerAgent: options.threadsPerAgent, logger: logger)
            .start(spool: spool, listening: listening)
        defer { farm.stop() }
        var pipeline = try JobPipeline(input: options.input, settings: settings, segmentSeconds: options.segmentSeconds,
                                       slots: options.agents, analysis: options.analysis, checkedOutput: options.output,
                                       probeProgress: reading)
        pipeline.logPlan(logger)
        let probe = pipeline.prepared.probe
        // `--ladder auto`: the agents first encode the probe, then the rungs chosen from it.
        var choice: LadderChoice?
        if let ladderProbe = try pipeline.ladderProbe() {
            // Its own progress, named: the ladder's starts again from 0 (QA: 74 % fell to 66 %).
            let (measured, _, _, _) = try farm.run(ladderProbe.dispatchJob(id: jobID + "-probe", spool: spool), extractor: pipeline.extractor,
                                                started: MonotonicClock.now(), progress: { p, elapsed in
                                                    var p = p
                                                    p.phase = "probe encodes"
                                                    progress(p, elapsed)
                                                })
            choice = try ladderProbe.choose(measured)
            pipeline = try pipeline.choosingLadder(choice!)
            logger.info("ladder chosen", metadata: ["rungs": "\(choice!.rungs.map { "\($0.name):\($0.bitrate)" }.joined(separator: ","))"])
        }
        // Progress counts from the dispatch: frames per second and the estimate left out the
        // probe's read of the input (QA: "ETA 16:14:00" on an hour of MPEG-TS, 20 min after 40 s).
        let (completed, plan, requeues, restarts) = try farm.run(pipeline.dispatchJob(id: jobID, spool: spool), extractor: pipeline.extractor,
                                                           started: MonotonicClock.now(), progress: progress)
        farm.beginStop()
        // Every segment is in: what follows (stitch, analysis) says so instead of a bar frozen at
        // its last segment (QA: 8 s at "359/360 segments … ETA 0:01" on an hour of input).
        var stitching = DispatchProgress()
        stitching.phase = settings.ladder == nil ? "stitching" : "packaging"
        progress(stitching, MonotonicClock.now() - started)
        // The sidecar `OUT.analysis.json`, with the scene thumbnails and contact sheet in
        // `OUT.thumbnails/` (`gopfarm report OUT.analysis.json` renders the HTML report from
        // them); inside a ladder's directory as `analysis.json` and `thumbnails/`. A ladder is
        // written whole in the spool first and moved into place when complete.
        let staging = settings.ladder == nil ? nil : spool.appendingPathComponent("package")
        let thumbnails = staging?.appendingPathComponent("thumbnails") ?? URL(fileURLWithPath: options.thumbnailsPath)
        let hadThumbnails = FileManager.default.fileExists(atPath: thumbnails.path)
        let finished: JobPipeline.Finished
        do {
            finished = try pipeline.finish(completed, plan: plan, outputPath: staging?.path ?? options.output, thumbnails: thumbnails)
        } catch {
            // A stitch that failed leaves no thumbnails of an output that is not there.
            if !hadThumbnails { try? FileManager.default.removeItem(at: thumbnails) }
            throw error
        }
        let analysis = try finished.analysis?.get()
        if let analysis {
            try AnalysisFiles.write(analysis, to: staging?.appendingPathComponent("analysis.json") ?? URL(fileURLWithPath: options.analysisPath))
        }
        if let staging {
            if let choice { try LadderFiles.write(choice, into: staging) }
            // A stop asked while the package was written: nothing goes into place.
            if transcodeCancelled.load(ordering: .relaxed) { throw MediaError(.cancelled, "stopped before the ladder was moved into place") }
            try OutputDirectory.publish(staging, to: options.output)
        }
        let frames: Int, bytes: Int64, streams: [String]
        if let packaged = finished.packaged {
            frames = packaged.videoFrames
            bytes = Int64(packaged.totalBytes)
            streams = packaged.renditions.map { "video \($0.name): \($0.codec) \($0.width)x\($0.height)" + ($0.dynamicRange.map { " " + $0 } ?? "") }
                + packaged.audioTracks.map { "audio \($0.name): \($0.sourceCodec)" + ($0.copied == true ? " (copied)" : " → aac") }
                + packaged.subtitleTracks.map { "subtitles \($0.name): \($0.sourceCodec) → webvtt" }
        } else if let stitched = finished.stitched {
            (frames, bytes, streams) = (stitched.videoFrames, stitched.bytes, stitched.streams)
        } else {
            throw MediaError(.encodeFailed, "nothing was stitched")
        }
        let seconds = MonotonicClock.now() - started
        let used = Set(completed.map(\.agent)).sorted()
        var report = TranscodeReport(
            input: options.input, output: options.output, codec: options.settings.codec,
            frames: frames, sourceFrames: probe.info.frameCount,
            segments: completed.map { c in
                TranscodeReport.Segment(index: c.result.segment, frames: c.result.frames, agent: c.agent,
                                        primed: plan.segments[c.result.segment].isPrimed, bytes: c.result.payloadBytes,
                                        encodeSeconds: c.result.decodeSeconds + c.result.encodeSeconds,
                                        analysisSeconds: c.result.analysisSeconds ?? 0,
                                        agentSeconds: c.result.decodeSeconds + c.result.encodeSeconds + (c.result.analysisSeconds ?? 0))
            },
            agents: used, requeues: requeues, agentRestarts: restarts,
            seconds: seconds, framesPerSecond: Double(frames) / max(seconds, 1e-6),
            speed: probe.info.videoSeconds / max(seconds, 1e-6), outputBytes: bytes,
            streams: streams, warnings: finished.warnings + (choice?.warnings ?? []), analysis: analysis.map(TranscodeReport.AnalysisSummary.init))
        report.renditions = finished.packaged.map { p in
            p.renditions.enumerated().map { i, r in TranscodeReport.Rendition(r, quality: finished.renditionQuality?[safe: i] ?? nil) }
        }
        report.audioTracks = finished.packaged?.audioTracks
        report.subtitleTracks = finished.packaged?.subtitleTracks
        report.ladderChoice = choice
        return report
    }
}
