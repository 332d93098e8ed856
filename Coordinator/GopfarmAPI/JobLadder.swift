import Foundation
import GopfarmCommon

/// A ladder job's output as the API, `gopfarm status` and the dashboard show it: the
/// renditions the packager wrote (once the job is done) and where its files are served.
///
/// The output is a directory on the coordinator (`outputs/<id>/<outputName>/`); every file of it
/// is at `GET /v1/jobs/{id}/files/{path}` (`master.m3u8`, `manifest.mpd`,
/// `video-720p/seg-00001.m4s`, …), for the job's owner and ops.
public struct JobLadder: Codable, Sendable, Equatable {
    /// One packaged track: a video rendition, an audio track or a subtitle track.
    public struct Rendition: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case video, audio, subtitles }

        public var kind: Kind
        public var name: String
        /// The encoder's codec name (h264, hevc, aac, webvtt).
        public var codec: String
        /// RFC 6381, as in CODECS and @codecs (nil for subtitles).
        public var codecs: String?
        public var width: Int?
        public var height: Int?
        public var frames: Int?
        /// Init section and media segments.
        public var bytes: Int
        /// Bits per second (RFC 8216 average and peak segment bit rates).
        public var averageBitrate: Int?
        public var peakBitrate: Int?
        /// Measured against the source (video renditions of an analyzed job).
        public var psnr: Double?
        public var ssim: Double?
        public var language: String?

        public init(kind: Kind, name: String, codec: String, codecs: String? = nil, width: Int? = nil, height: Int? = nil,
                    frames: Int? = nil, bytes: Int, averageBitrate: Int? = nil, peakBitrate: Int? = nil,
                    psnr: Double? = nil, ssim: Double? = nil, language: String? = nil) {
            self.kind = kind
            self.name = name
            self.codec = codec
            self.codecs = codecs
            self.width = width
            self.height = height
            self.frames = frames
            self.bytes = bytes
            self.averageBitrate = averageBitrate
            self.peakBitrate = peakBitrate
            self.psnr = psnr
            self.ssim = ssim
            self.language = language
        }

        /// `1280x720` for video, nil otherwise.
        public var size: String? { width.flatMap { w in height.map { "\(w)x\($0)" } } }
    }

    /// The rungs asked for (`auto` while an automatic ladder has not chosen yet).
    public var requested: String
    /// hls, dash.
    public var packages: [String]
    public var segmentSeconds: Double
    /// Empty until the job is done.
    public var renditions: [Rendition]
    /// API paths of the manifests, once the job is done (`/v1/jobs/{id}/files/master.m3u8`).
    public var hlsURL: String?
    public var dashURL: String?
    /// Every file of the output directory, relative to it (manifests first); only on a single
    /// job's view, once done. `gopfarm fetch` downloads each of them.
    public var files: [String]?
    /// While `--ladder auto` probes (the job is `planning`): the probe encodes done of all, and
    /// the agents on them.
    public var probe: Probe?

    public struct Probe: Codable, Sendable, Equatable {
        public var segmentsDone: Int
        public var segmentsTotal: Int
        public var agents: Int

        public init(segmentsDone: Int, segmentsTotal: Int, agents: Int) {
            self.segmentsDone = segmentsDone
            self.segmentsTotal = segmentsTotal
            self.agents = agents
        }
    }

    public init(requested: String, packages: [String], segmentSeconds: Double, renditions: [Rendition] = [],
                hlsURL: String? = nil, dashURL: String? = nil, files: [String]? = nil, probe: Probe? = nil) {
        self.requested = requested
        self.packages = packages
        self.segmentSeconds = segmentSeconds
        self.renditions = renditions
        self.hlsURL = hlsURL
        self.dashURL = dashURL
        self.files = files
        self.probe = probe
    }

    /// A bit rate as the CLI's `--ladder` writes it (`LadderRung.rateText`).
    public static func rateText(_ bitsPerSecond: Int) -> String { LadderRung.rateText(bitsPerSecond) }

    /// A measured rate for people, three significant digits in the unit `gopfarm transcode`
    /// prints: `652 kbit/s`, `95.3 kbit/s`, `2.35 Mbit/s` (QA: `717 kb/s` beside `92.92 kb/s`).
    public static func bitRate(_ bitsPerSecond: Int) -> String {
        let (value, unit) = bitsPerSecond >= 1_000_000 ? (Double(bitsPerSecond) / 1e6, "Mbit/s")
            : bitsPerSecond >= 1_000 ? (Double(bitsPerSecond) / 1e3, "kbit/s") : (Double(bitsPerSecond), "bit/s")
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return "\(LadderRung.trimmed(value, decimals: decimals)) \(unit)"
    }

    /// The path of one of a job's output files in the API (each path segment percent-encoded).
    public static func fileURL(job: String, file: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let escaped = file.split(separator: "/").map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
        return "/v1/jobs/\(job)/files/" + escaped.joined(separator: "/")
    }
}
