import Foundation
import GopfarmCommon
import Logging

/// `gopfarm analyze`: the farm decodes and analyzes every frame, encodes nothing, and the
/// coordinator merges the segments into one `JobAnalysis`.
public struct AnalyzeJob {
    public struct Options: Sendable {
        public var input: String
        public var analysis = AnalysisSettings()
        public var segmentSeconds: Double = 10
        public var agents = TranscodeOptions.defaultAgents
        public var threads = 0
        public var bind = "tcp://127.0.0.1:0"
        public var timing = DispatchTiming()
        /// Where `analysis.json`, the scene thumbnails and `contact-sheet.jpg` go (nil: nowhere).
        public var saveDirectory: String?

        public init(input: String) { self.input = input }

        public var threadsPerAgent: Int {
            LocalFarm.threadsPerAgent(requested: threads, agents: agents)
        }

        public func validate() throws(MediaError) {
            try analysis.validate()
            try JobRules.checkSegmentSeconds(segmentSeconds)
            try LocalFarm.validate(agents: agents, bind: bind)
            if let saveDirectory, ![.missing, .directory].contains(OutputPlace.kind(of: saveDirectory)) {
                throw MediaError(.invalidOption, "\(saveDirectory) is not a directory; the analysis is saved into one", path: saveDirectory)
            }
        }
    }

    public var options: Options
    public var logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(listening: TranscodeJob.ListeningHandler = { _ in },
                    progress: TranscodeJob.ProgressHandler = { _, _ in }) throws -> JobAnalysis {
        let started = MonotonicClock.now()
        try options.validate()
        var settings = EncodeSettings()
        settings.threads = options.threadsPerAgent
        let jobID = String(UUID().uuidString.prefix(8)).lowercased()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-analyze-\(jobID)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        // Made before the work, so a place that cannot be written fails the job at once.
        let save = options.saveDirectory.map { URL(fileURLWithPath: $0) }
        if let save {
            do { try FileManager.default.createDirectory(at: save, withIntermediateDirectories: true) } catch {
                throw MediaError(.invalidOption, "cannot create the directory \(save.path): \(OutputPlace.reason(error))", path: save.path)
            }
        }

        let farm = try LocalFarm(bind: options.bind, timing: options.timing, agents: options.agents,
                                 threadsPerAgent: options.threadsPerAgent, logger: logger)
            .start(spool: spool, listening: listening)
        defer { farm.stop() }
        let pipeline = try JobPipeline(input: options.input, settings: settings, segmentSeconds: options.segmentSeconds,
                                       slots: options.agents, mode: .analyze, analysis: options.analysis)
        pipeline.logPlan(logger)
        let (completed, plan, _, _) = try farm.run(pipeline.dispatchJob(id: jobID, spool: spool), extractor: pipeline.extractor,
                                             started: started, progress: progress)
        farm.beginStop()
        guard let analysis = try pipeline.finish(completed, plan: plan, outputPath: nil, thumbnails: save, replacingThumbnails: false).analysis?.get() else {
            throw MediaError(.invalidOption, "nothing was analyzed")
        }
        if let save {
            try AnalysisFiles.write(analysis, to: save.appendingPathComponent("analysis.json"))
            try ReportFiles.html(analysis, title: options.input, thumbnails: save)
                .write(to: save.appendingPathComponent("report.html"), atomically: true, encoding: .utf8)
        }
        return analysis
    }
}
