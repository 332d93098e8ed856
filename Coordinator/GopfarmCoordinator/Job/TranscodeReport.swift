import GopfarmCommon

/// What a finished job prints (and `--json` returns).
public struct TranscodeReport: Sendable, Codable {
    public struct Segment: Sendable, Codable {
        public var index: Int
        public var frames: Int
        public var agent: String
        public var primed: Bool
        public var bytes: Int
        /// Decoding and encoding, then analysis (measures, thumbnails, PSNR/SSIM): the agent's
        /// time on the segment is their sum, `agentSeconds`.
        public var encodeSeconds: Double
        public var analysisSeconds: Double
        public var agentSeconds: Double
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
    public var analysis: AnalysisSummary?

    /// The headline of the analysis; the whole record is in `OUT.analysis.json`.
    public struct AnalysisSummary: Sendable, Codable {
        public var scenes: Int
        public var fades: Int
        public var blackIntervals: Int
        public var frozenIntervals: Int
        /// Frame-weighted means over the segments (nil when not measured or lossless).
        public var psnrAll: Double?
        public var ssimY: Double?
        public var lossless: Bool

        public init(_ a: JobAnalysis) {
            scenes = a.scenes.count
            fades = a.transitions.count
            blackIntervals = a.black.count
            frozenIntervals = a.frozen.count
            func weighted(_ value: (JobAnalysis.Segment) -> Double?) -> Double? {
                let known = a.segments.compactMap { s in value(s).map { ($0, Double(s.frames)) } }
                let frames = known.reduce(0) { $0 + $1.1 }
                return frames > 0 ? known.reduce(0) { $0 + $1.0 * $1.1 } / frames : nil
            }
            psnrAll = weighted(\.psnrAll)
            ssimY = weighted(\.ssimY)
            lossless = !a.segments.isEmpty && a.segments.allSatisfy(\.lossless)
        }
    }
}
