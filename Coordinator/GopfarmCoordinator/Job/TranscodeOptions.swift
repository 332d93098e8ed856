import Foundation
import GopfarmCommon

/// A one-shot farm job: `gopfarm transcode` and `gopfarm demo`.
public struct TranscodeOptions: Sendable {
    public var input: String
    public var output: String
    public var settings: EncodeSettings
    public var segmentSeconds: Double = 10
    /// Local agent processes to start (0: only remote agents joining `bind`).
    public var agents: Int = TranscodeOptions.defaultAgents
    public var bind: String = "tcp://127.0.0.1:0"
    public var timing = DispatchTiming()
    /// Keep the spool (encoded segments and agent logs) after the job.
    public var keepSpool = false
    /// Analyze the frames while encoding (nil: `--no-analysis`); results go to `OUT.analysis.json`.
    public var analysis: AnalysisSettings? = AnalysisSettings()

    public init(input: String, output: String, settings: EncodeSettings) {
        self.input = input
        self.output = output
        self.settings = settings
    }

    public static var defaultAgents: Int { min(8, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Encoder threads per local agent when not given: the machine's cores shared among them.
    public var threadsPerAgent: Int {
        LocalFarm.threadsPerAgent(requested: settings.threads, agents: agents)
    }

    public func validate() throws(MediaError) {
        try settings.validate()
        try analysis?.validate()
        try JobRules.checkSegmentSeconds(segmentSeconds)
        try LocalFarm.validate(agents: agents, bind: bind)
        if let why = ZMQEndpoint.refusal(bind) { throw MediaError(.invalidOption, why) }
        if URL(fileURLWithPath: input).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL {
            throw MediaError(.invalidOption, "the output would overwrite the input", path: output)
        }
        if settings.ladder != nil {
            try JobRules.checkOutputDirectory(output)
        } else {
            // What is there first (a directory named like no video file is still a directory).
            if let why = OutputPlace.refusal(output: output, input: input) { throw MediaError(.invalidOption, why) }
            try JobRules.checkOutputName((output as NSString).lastPathComponent, codec: settings.codec)
        }
        // The analysis files beside the output: refused now, not after the whole encode.
        if analysis != nil {
            if ![.missing, .directory].contains(OutputPlace.kind(of: thumbnailsPath)) {
                throw MediaError(.invalidOption, "\(thumbnailsPath) is in the way: the scene pictures go in a directory of that name (move it, or give --no-analysis)")
            }
            if ![.missing, .file].contains(OutputPlace.kind(of: analysisPath)) {
                throw MediaError(.invalidOption, "\(analysisPath) is in the way: the analysis record is a file of that name (move it, or give --no-analysis)")
            }
        }
        // (A ladder's directory and the one it goes in: `OutputDirectory.refusal`, above.)
        let dir = URL(fileURLWithPath: output).standardizedFileURL.deletingLastPathComponent().path
        if settings.ladder == nil, let why = OutputDirectory.parentRefusal(dir.isEmpty ? "/" : dir) {
            throw MediaError(.invalidOption, why, path: output)
        }
    }

    /// The analysis record and the scene pictures: beside an output file (`OUT.analysis.json`,
    /// `OUT.thumbnails/`), inside a ladder's output directory (`analysis.json`, `thumbnails/`).
    public var analysisPath: String { settings.ladder == nil ? output + ".analysis.json" : outputDirectory.appendingPathComponent("analysis.json").path }
    public var thumbnailsPath: String { settings.ladder == nil ? output + ".thumbnails" : outputDirectory.appendingPathComponent("thumbnails").path }
    /// Where the spool goes: next to the output file, or next to a ladder's output directory.
    public var outputDirectory: URL { URL(fileURLWithPath: output).standardizedFileURL }
}
