import Foundation
import GopfarmCommon

/// Everything a job learned about its content: what `gopfarm analyze --json`, `status --json`,
/// the API and the HTML report show, and what `transcode` writes to `OUT.analysis.json`.
///
/// Frames are counted from 0 in presentation order over the whole input; intervals are
/// half-open (`endFrame` is the first frame after); times are seconds from the first frame.
public struct JobAnalysis: Codable, Sendable, Equatable {
    public var settings: AnalysisSettings
    public var frames: Int
    public var duration: Double
    public var scenes: [Scene]
    /// Fades to and from black; a scene after one starts at its end.
    public var transitions: [Transition]
    public var black: [Interval]
    public var frozen: [Interval]
    public var statistics: Statistics
    public var segments: [Segment]
    /// The input as probed, and the output as written (absent for `analyze`).
    public var source: MediaInfo?
    public var output: MediaInfo?
    /// Per-frame measures, for plots; dropped from compact views of long jobs.
    public var series: FrameSeries?

    public init(settings: AnalysisSettings, frames: Int, duration: Double, scenes: [Scene], transitions: [Transition],
                black: [Interval], frozen: [Interval], statistics: Statistics, segments: [Segment],
                source: MediaInfo? = nil, output: MediaInfo? = nil, series: FrameSeries? = nil) {
        self.settings = settings
        self.frames = frames
        self.duration = duration
        self.scenes = scenes
        self.transitions = transitions
        self.black = black
        self.frozen = frozen
        self.statistics = statistics
        self.segments = segments
        self.source = source
        self.output = output
        self.series = series
    }

    public struct Scene: Codable, Sendable, Equatable {
        public enum Start: String, Codable, Sendable { case start, cut, transition }
        public var index: Int
        public var startFrame: Int
        public var endFrame: Int
        public var start: Double
        public var end: Double
        /// How it begins: the first scene, a hard cut, or a fade in from black.
        public var kind: Start
        /// Content score of the cut frame (nil for the first scene).
        public var score: Double?
        /// File name of the scene's representative thumbnail (JPEG), when one was taken.
        public var thumbnail: String?
        public init(index: Int, startFrame: Int, endFrame: Int, start: Double, end: Double, kind: Start, score: Double?, thumbnail: String? = nil) {
            self.index = index
            self.startFrame = startFrame
            self.endFrame = endFrame
            self.start = start
            self.end = end
            self.kind = kind
            self.score = score
            self.thumbnail = thumbnail
        }
    }

    public struct Transition: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case fadeIn = "fade-in", fadeOut = "fade-out" }
        public var kind: Kind
        public var startFrame: Int
        public var endFrame: Int
        public var start: Double
        public var end: Double
        public init(kind: Kind, startFrame: Int, endFrame: Int, start: Double, end: Double) {
            self.kind = kind
            self.startFrame = startFrame
            self.endFrame = endFrame
            self.start = start
            self.end = end
        }
    }

    public struct Interval: Codable, Sendable, Equatable {
        public var startFrame: Int
        public var endFrame: Int
        public var start: Double
        public var end: Double
        public var duration: Double
        public init(startFrame: Int, endFrame: Int, start: Double, end: Double) {
            self.startFrame = startFrame
            self.endFrame = endFrame
            self.start = start
            self.end = end
            duration = end - start
        }
    }

    /// Means over all frames (luma min/max: the extremes), on the analysis plane.
    public struct Statistics: Codable, Sendable, Equatable {
        public var lumaMean: Double
        public var lumaMin: Int
        public var lumaMax: Int
        public var colourfulness: Double
        public var motion: Double
        public var sharpness: Double
        public init(lumaMean: Double, lumaMin: Int, lumaMax: Int, colourfulness: Double, motion: Double, sharpness: Double) {
            self.lumaMean = lumaMean
            self.lumaMin = lumaMin
            self.lumaMax = lumaMax
            self.colourfulness = colourfulness
            self.motion = motion
            self.sharpness = sharpness
        }
    }

    /// One segment as the farm ran it. PSNR is nil when not measured and absent (JSON) when the
    /// frames are identical (`lossless`).
    public struct Segment: Codable, Sendable, Equatable {
        public var index: Int
        public var startFrame: Int
        public var frames: Int
        public var start: Double
        public var agent: String
        public var bytes: Int
        public var decodeSeconds: Double
        public var encodeSeconds: Double
        public var analysisSeconds: Double
        public var psnrY: Double?
        public var psnrU: Double?
        public var psnrV: Double?
        public var psnrAll: Double?
        public var ssimY: Double?
        public var lossless: Bool
        /// When the accepted attempt was leased and finished, seconds since the job started.
        public var startedAt: Double?
        public var finishedAt: Double?
        public init(index: Int, startFrame: Int, frames: Int, start: Double, agent: String, bytes: Int,
                    decodeSeconds: Double, encodeSeconds: Double, analysisSeconds: Double,
                    psnrY: Double? = nil, psnrU: Double? = nil, psnrV: Double? = nil, psnrAll: Double? = nil,
                    ssimY: Double? = nil, lossless: Bool = false, startedAt: Double? = nil, finishedAt: Double? = nil) {
            self.index = index
            self.startFrame = startFrame
            self.frames = frames
            self.start = start
            self.agent = agent
            self.bytes = bytes
            self.decodeSeconds = decodeSeconds
            self.encodeSeconds = encodeSeconds
            self.analysisSeconds = analysisSeconds
            self.psnrY = psnrY
            self.psnrU = psnrU
            self.psnrV = psnrV
            self.psnrAll = psnrAll
            self.ssimY = ssimY
            self.lossless = lossless
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }
}
