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
        let prepared = try PreparedJob(input: options.input, settings: settings, segmentSeconds: options.segmentSeconds)
        let probe = prepared.probe, plan = prepared.plan
        logger.info("planned", metadata: ["segments": "\(plan.segments.count)", "frames": "\(plan.expectedFrames)",
                                          "primed": "\(plan.segments.filter(\.isPrimed).count)"])

        let jobID = String(UUID().uuidString.prefix(8)).lowercased()
        let outputDir = URL(fileURLWithPath: options.output).deletingLastPathComponent()
        let spool = outputDir.appendingPathComponent(".gopfarm-spool-\(jobID)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { if !options.keepSpool { try? FileManager.default.removeItem(at: spool) } }

        let job = prepared.dispatchJob(id: jobID, spool: spool)
        let dispatcher = Dispatcher(bind: options.bind, timing: options.timing, logger: logger)
        let endpoint: String
        do { endpoint = try dispatcher.start() } catch {
            throw MediaError(.invalidOption, "cannot listen for agents on \(options.bind): \(error)")
        }
        dispatcher.add(job) { () throws(MediaError) in try prepared.makeExtractor() }
        listening(endpoint)
        var localAgents: LocalAgents?
        defer {
            dispatcher.stop()
            localAgents?.stop()
        }
        if options.agents > 0 {
            let connectTo = endpoint.replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
            localAgents = try LocalAgents(count: options.agents, endpoint: connectTo, threads: options.threadsPerAgent,
                                          logDirectory: spool, logger: logger)
        }

        var outcome: DispatchOutcome?
        var finalProgress = DispatchProgress()
        while outcome == nil {
            Thread.sleep(forTimeInterval: 0.25)
            outcome = dispatcher.takeOutcome(of: jobID)
            finalProgress = dispatcher.progress(of: jobID) ?? finalProgress
            if outcome == nil { progress(finalProgress, MonotonicClock.now() - started) }
            if transcodeCancelled.load(ordering: .relaxed) {
                throw MediaError(.invalidOption, "cancelled; no output was written")
            }
            if let agents = localAgents, !agents.supervise() {
                throw MediaError(.decodeFailed, "local agents keep dying (\(agents.restarts) restarts); see the agent logs (--keep-spool keeps them in \(spool.path))")
            }
        }
        let completed: [CompletedSegment]
        switch outcome! {
        case .failed(let message):
            throw MediaError(.encodeFailed, message)
        case .cancelled:
            throw MediaError(.invalidOption, "cancelled; no output was written")
        case .completed(let segments):
            completed = segments
        }
        let (stitched, warnings) = try prepared.stitch(completed, outputPath: options.output)
        let seconds = MonotonicClock.now() - started
        let used = Set(completed.map(\.agent)).sorted()
        return TranscodeReport(
            input: options.input, output: options.output, codec: options.settings.codec,
            frames: stitched.videoFrames, sourceFrames: probe.info.frameCount,
            segments: completed.map { c in
                TranscodeReport.Segment(index: c.result.segment, frames: c.result.frames, agent: c.agent,
                                        primed: plan.segments[c.result.segment].isPrimed, bytes: c.result.payloadBytes,
                                        encodeSeconds: c.result.decodeSeconds + c.result.encodeSeconds)
            },
            agents: used, requeues: dispatcher.snapshot.counters.requeues, agentRestarts: localAgents?.restarts ?? 0,
            seconds: seconds, framesPerSecond: Double(stitched.videoFrames) / max(seconds, 1e-6),
            speed: probe.info.duration / max(seconds, 1e-6), outputBytes: stitched.bytes,
            streams: stitched.streams, warnings: warnings)
    }
}
