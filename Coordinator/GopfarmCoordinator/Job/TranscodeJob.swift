import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// Set by SIGINT/SIGTERM in the CLI: the job stops, agents are dismissed, nothing is left behind.
public let transcodeCancelled = Atomic<Bool>(false)

/// One farm run end to end: probe → plan → dispatch to agents → stitch → report.
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

    public func run(listening: ListeningHandler = { _ in }, progress: ProgressHandler = { _, _ in }) throws -> TranscodeReport {
        let started = MonotonicClock.now()
        try options.validate()
        var settings = options.settings
        settings.threads = options.threadsPerAgent
        let prepared = try PreparedJob(input: options.input, settings: settings, segmentSeconds: options.segmentSeconds,
                                       slots: options.agents, outputPath: options.output)
        let probe = prepared.probe, plan = prepared.plan
        logger.info("planned", metadata: ["segments": "\(plan.segments.count)", "frames": "\(plan.expectedFrames)",
                                          "primed": "\(plan.segments.filter(\.isPrimed).count)"])

        let jobID = String(UUID().uuidString.prefix(8)).lowercased()
        let outputDir = URL(fileURLWithPath: options.output).deletingLastPathComponent()
        let spool = outputDir.appendingPathComponent(".gopfarm-spool-\(jobID)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { if !options.keepSpool { try? FileManager.default.removeItem(at: spool) } }

        let job = prepared.dispatchJob(id: jobID, spool: spool, analysis: options.analysis)
        let farm = LocalFarm(bind: options.bind, timing: options.timing, agents: options.agents,
                             threadsPerAgent: options.threadsPerAgent, logger: logger)
        let (completed, requeues, restarts) = try farm.run(job, prepared: prepared, started: started, listening: listening, progress: progress)
        let (stitched, warnings) = try prepared.stitch(completed, outputPath: options.output)
        let analysis = try options.analysis.map { settings in
            try analyze(completed, settings: settings, prepared: prepared)
        }
        let seconds = MonotonicClock.now() - started
        let used = Set(completed.map(\.agent)).sorted()
        return TranscodeReport(
            input: options.input, output: options.output, codec: options.settings.codec,
            frames: stitched.videoFrames, sourceFrames: probe.info.frameCount,
            segments: completed.map { c in
                TranscodeReport.Segment(index: c.result.segment, frames: c.result.frames, agent: c.agent,
                                        primed: plan.segments[c.result.segment].isPrimed, bytes: c.result.payloadBytes,
                                        encodeSeconds: c.result.decodeSeconds + c.result.encodeSeconds,
                                        analysisSeconds: c.result.analysisSeconds ?? 0,
                                        agentSeconds: c.result.decodeSeconds + c.result.encodeSeconds + (c.result.analysisSeconds ?? 0))
            },
            agents: used, requeues: requeues, agentRestarts: restarts,
            seconds: seconds, framesPerSecond: Double(stitched.videoFrames) / max(seconds, 1e-6),
            speed: probe.info.duration / max(seconds, 1e-6), outputBytes: stitched.bytes,
            streams: stitched.streams, warnings: warnings, analysis: analysis.map(TranscodeReport.AnalysisSummary.init))
    }

    /// Merges the segments' analyses and writes the sidecar `OUT.analysis.json`, and the scene
    /// thumbnails and contact sheet in `OUT.thumbnails/` (`gopfarm report OUT.analysis.json`
    /// renders the HTML report from them).
    private func analyze(_ completed: [CompletedSegment], settings: AnalysisSettings, prepared: PreparedJob) throws -> JobAnalysis {
        let thumbnails = URL(fileURLWithPath: options.output + ".thumbnails")
        try? FileManager.default.removeItem(at: thumbnails)  // a previous run's scenes
        let analysis = try prepared.analyze(completed, settings: settings, thumbnails: thumbnails, outputPath: options.output)
        try AnalysisFiles.write(analysis, to: URL(fileURLWithPath: options.output + ".analysis.json"))
        return analysis
    }
}
