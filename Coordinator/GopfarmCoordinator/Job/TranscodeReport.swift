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
    /// A ladder job's renditions (the output is a directory of CMAF tracks and manifests).
    public var renditions: [Rendition]?
    /// A ladder's audio and subtitle renditions, as `gopfarm status --json` lists them.
    public var audioTracks: [PackageReport.AudioTrack]?
    public var subtitleTracks: [PackageReport.SubtitleTrack]?
    /// `--ladder auto`: what the probe measured and chose.
    public var ladderChoice: LadderChoice?

    /// One rung as packaged, with its quality against the source at the source's size.
    public struct Rendition: Sendable, Codable {
        public var name: String
        public var codec: String
        /// RFC 6381, as in CODECS and @codecs.
        public var codecs: String
        public var width: Int
        public var height: Int
        public var frames: Int
        public var bytes: Int
        public var averageBitrate: Int
        public var peakBitrate: Int
        public var psnr: Double?
        public var ssim: Double?

        public init(_ r: PackageReport.Rendition, quality: SegmentQuality?) {
            name = r.name
            codec = r.codec
            codecs = r.codecs
            width = r.width
            height = r.height
            frames = r.frames
            bytes = r.bytes
            averageBitrate = r.averageBitrate
            peakBitrate = r.peakBitrate
            psnr = quality.map(\.psnrAll).flatMap { $0.isFinite ? $0 : nil }
            ssim = quality?.ssimY
        }
    }

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
