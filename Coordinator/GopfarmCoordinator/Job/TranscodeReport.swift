import GopfarmCommon

/// What a finished job prints (and `--json` returns).
public struct TranscodeReport: Sendable, Codable {
    public struct Segment: Sendable, Codable {
        public var index: Int
        public var frames: Int
        public var agent: String
        public var primed: Bool
        public var bytes: Int
        public var encodeSeconds: Double
    }

    public var input: String
    public var output: String
    public var codec: String
    public var frames: Int
    public var sourceFrames: Int
    public var segments: [Segment]
    public var agents: [String]
    public var requeues: Int
    public var agentRestarts: Int
    public var seconds: Double
    public var framesPerSecond: Double
    public var speed: Double
    public var outputBytes: Int64
    public var streams: [String]
    public var warnings: [String]
}
