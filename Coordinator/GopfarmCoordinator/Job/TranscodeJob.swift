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
        let probe = try MediaProbe(path: options.input)
        try checkEncoder(probe)
        let plan = try SegmentPlanner(targetSeconds: options.segmentSeconds).plan(probe.index, timeBase: probe.videoTimeBase)
        var warnings = probe.info.warnings
        logger.info("planned", metadata: ["segments": "\(plan.segments.count)", "frames": "\(plan.expectedFrames)",
                                          "primed": "\(plan.segments.filter(\.isPrimed).count)"])

        let jobID = String(UUID().uuidString.prefix(8)).lowercased()
        let outputDir = URL(fileURLWithPath: options.output).deletingLastPathComponent()
        let spool = outputDir.appendingPathComponent(".gopfarm-spool-\(jobID)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { if !options.keepSpool { try? FileManager.default.removeItem(at: spool) } }

        let stream = probe.info.streams[probe.info.videoStream]
        let rate = [stream.averageFrameRate, stream.realFrameRate].compactMap { $0 }.first { $0.isValid } ?? Rational(25, 1)
        var settings = options.settings
        settings.threads = options.threadsPerAgent
        let job = DispatchJob(id: jobID, plan: plan, settings: settings, frameRate: rate, spool: spool)
        let dispatcher = Dispatcher(bind: options.bind, timing: options.timing, logger: logger)
        let endpoint: String
        do { endpoint = try dispatcher.start() } catch {
            throw MediaError(.invalidOption, "cannot listen for agents on \(options.bind): \(error)")
        }
        let input = options.input
        dispatcher.add(job) { () throws(MediaError) in try SegmentExtractor(path: input, probe: probe) }
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
        for c in completed where !c.result.corruptFrames.isEmpty {
            warnings.append("segment \(c.result.segment): \(c.result.corruptFrames.count) frame(s) decoded with errors at source times \(c.result.corruptFrames.map { String(format: "%.3f s", MediaTime($0, probe.videoTimeBase).seconds) }.joined(separator: ", ")); they cannot be exact")
        }
        let stitched = try Stitcher(sourcePath: options.input, probe: probe, plan: plan, segments: completed, outputPath: options.output).run()
        warnings += stitched.warnings
        if plan.skippedLeadingFrames > 0 {
            warnings.append("\(plan.skippedLeadingFrames) frame(s) before the first decodable key frame are not in the output")
        }
        let lost = plan.expectedFrames - stitched.videoFrames
        if lost > 0 {
            warnings.append("\(lost) frame(s) of damaged packets could not be decoded and are missing from the output")
        }
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
            agents: used, requeues: finalProgress.requeues, agentRestarts: localAgents?.restarts ?? 0,
            seconds: seconds, framesPerSecond: Double(stitched.videoFrames) / max(seconds, 1e-6),
            speed: probe.info.duration / max(seconds, 1e-6), outputBytes: stitched.bytes,
            streams: stitched.streams, warnings: warnings)
    }

    /// Opens the encoder once here and encodes one frame, so a bad codec, preset or pixel
    /// format is one sentence before any agent starts.
    private func checkEncoder(_ probe: MediaProbe) throws(MediaError) {
        let p = probe.videoParameters
        let format = try PixelFormatChoice.choose(codec: options.settings.codec,
                                                  source: PixelFormatChoice.unJ(.init(rawValue: p.format)),
                                                  requested: options.settings.pixelFormat)
        let size = options.settings.scale?.resolve(sourceWidth: Int(p.width), sourceHeight: Int(p.height)) ?? (Int(p.width), Int(p.height))
        var settings = options.settings
        settings.threads = 1
        let encoder = try Encoder(settings: settings, source: Encoder.Source(
            width: Int32(size.0), height: Int32(size.1), pixelFormat: format, timeBase: probe.videoTimeBase, frameRate: Rational(25, 1)))
        try encoder.selfTest(width: size.0, height: size.1, pixelFormat: format)
    }
}
