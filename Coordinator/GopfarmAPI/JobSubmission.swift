import GopfarmCommon

/// `POST /v1/jobs`: what to transcode and how. Exactly one of `input` (a path the coordinator
/// can read, inside its input roots) and `upload` (the id `POST /v1/uploads` returned).
public struct JobSubmission: Codable, Sendable, Equatable {
    public var input: String?
    public var upload: String?
    /// File name of the result (its extension picks the container); default `<input name>.mp4`.
    /// A ladder job's output is a directory: its name is this one less a container extension
    /// (default `<input name>`, or `stream`).
    public var outputName: String?
    public var settings: EncodeSettings
    public var segmentSeconds: Double?
    public var priority: JobPriority?
    /// Analyze the content while encoding (scenes, black/frozen, statistics, PSNR/SSIM); default true.
    public var analysis: Bool?
    /// At most this many agents work on the job at once (default: every agent); benchmarks
    /// measure 1…N agents of one cluster with it, and the planner cuts for that many.
    public var maxAgents: Int?
    /// A named preset's encode settings under `settings` (fields given in `settings` win); see `PresetRule`.
    public var preset: String?
    /// URLs told of this job's events (besides its owner's webhooks).
    public var webhooks: [JobWebhook]?

    public init(input: String? = nil, upload: String? = nil, outputName: String? = nil, settings: EncodeSettings,
                segmentSeconds: Double? = nil, priority: JobPriority? = nil, analysis: Bool? = nil, maxAgents: Int? = nil,
                preset: String? = nil, webhooks: [JobWebhook]? = nil) {
        self.input = input
        self.upload = upload
        self.outputName = outputName
        self.settings = settings
        self.segmentSeconds = segmentSeconds
        self.priority = priority
        self.analysis = analysis
        self.maxAgents = maxAgents
        self.preset = preset
        self.webhooks = webhooks
    }

    /// Field names accepted at each level: anything else is a 400, so a typo is never silently ignored.
    public static let fields: Set<String> = ["input", "upload", "outputName", "settings", "segmentSeconds", "priority", "analysis", "maxAgents", "preset", "webhooks"]
    public static let settingsFields: Set<String> = ["codec", "crf", "bitrate", "preset", "gop", "pixelFormat", "scale", "threads", "deinterlace", "maxRate", "bufferSize", "onlyForcedKeyFrames", "ladder", "sdr", "audioBitrate"]
}
