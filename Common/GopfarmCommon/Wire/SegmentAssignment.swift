/// A lease on one segment: the source packets travel in the payload frame.
public struct SegmentAssignment: WireMessage, Equatable {
    public static let type = "assign"
    public var job: String
    public var segment: Int
    public var attempt: Int
    /// Keep frames whose presentation time `t` (source time base) is `startPTS <= t < endPTS`.
    public var startPTS: Int64
    public var endPTS: Int64?
    public var expectedFrames: Int
    public var settings: EncodeSettings
    /// Nominal frame rate of the source (rate control of the encoders needs one).
    public var frameRate: Rational
    public var payloadSHA256: String
    public var leaseMilliseconds: Int
    /// Analyze the frames too (nil: encode only).
    public var analysis: AnalysisSettings?
    /// `.analyze`: decode and analyze only, return no encoded packets (nil means `.encode`).
    public var mode: SegmentMode?
    /// The video's timestamps are damaged (the plan's one segment): frames are timed by libav's
    /// best guess (`best_effort_timestamp`), as FFmpeg's tools time them, and a frame whose time
    /// does not move forward is left out. nil on a sound video.
    public var damagedTimestamps: Bool?

    public init(job: String, segment: Int, attempt: Int, startPTS: Int64, endPTS: Int64?, expectedFrames: Int,
                settings: EncodeSettings, frameRate: Rational, payloadSHA256: String, leaseMilliseconds: Int,
                analysis: AnalysisSettings? = nil, mode: SegmentMode? = nil) {
        self.job = job
        self.segment = segment
        self.attempt = attempt
        self.startPTS = startPTS
        self.endPTS = endPTS
        self.expectedFrames = expectedFrames
        self.settings = settings
        self.frameRate = frameRate
        self.payloadSHA256 = payloadSHA256
        self.leaseMilliseconds = leaseMilliseconds
        self.analysis = analysis
        self.mode = mode
    }

    public var analyzesOnly: Bool { mode == .analyze }
}

/// What an agent does with a segment's frames.
public enum SegmentMode: String, Codable, Sendable {
    case encode, analyze
}
