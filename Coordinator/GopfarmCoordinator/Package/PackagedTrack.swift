import GopfarmCommon

/// One CMAF track on disk (`directory/init.mp4` + `directory/seg-00001.m4s`…): what the HLS
/// playlists and the DASH manifest describe. Pure data; the writers only format it.
public struct PackagedTrack: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case video, audio }

    public var kind: Kind
    /// The rendition's name (rung name, or `audio-1-eng`), also its DASH Representation id.
    public var name: String
    /// Relative to the output directory, without a trailing slash.
    public var directory: String
    /// RFC 6381, from the init section's sample entry.
    public var codecs: String
    /// Ticks per second of `segments`' times (the track's mdhd timescale).
    public var timescale: Int64
    public var initBytes: Int
    public var segments: [PackagedSegment]
    public var width: Int?
    public var height: Int?
    public var frameRate: Rational?
    public var sampleAspectRatio: Rational?
    public var language: String?
    public var sampleRate: Int?
    public var channels: Int?
    /// An audio track: the source marks it default (HLS DEFAULT=YES, DASH Role main).
    public var isDefault = false
    /// The source track's title ("Français", "Director's commentary"), the name players show.
    public var title: String?
    /// A video track's colour as ITU-T H.273 code points (FFmpeg's enums use the same numbers):
    /// colour primaries, transfer characteristics, matrix coefficients.
    public var colour: Colour?

    public struct Colour: Codable, Sendable, Equatable {
        public var primaries: Int
        public var transfer: Int
        public var matrix: Int

        public init(primaries: Int, transfer: Int, matrix: Int) {
            self.primaries = primaries
            self.transfer = transfer
            self.matrix = matrix
        }

        /// HLS's VIDEO-RANGE: PQ (SMPTE ST 2084, transfer 16) or HLG (ARIB STD-B67, 18); nil for SDR.
        public var videoRange: String? {
            switch transfer {
            case 16: "PQ"
            case 18: "HLG"
            default: nil
            }
        }
    }

    public init(kind: Kind, name: String, directory: String, codecs: String, timescale: Int64, initBytes: Int,
                segments: [PackagedSegment], width: Int? = nil, height: Int? = nil, frameRate: Rational? = nil,
                sampleAspectRatio: Rational? = nil, language: String? = nil, sampleRate: Int? = nil, channels: Int? = nil) {
        self.kind = kind
        self.name = name
        self.directory = directory
        self.codecs = codecs
        self.timescale = timescale
        self.initBytes = initBytes
        self.segments = segments
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.sampleAspectRatio = sampleAspectRatio
        self.language = language
        self.sampleRate = sampleRate
        self.channels = channels
    }

    public static let initName = "init.mp4"
    public static let playlistName = "playlist.m3u8"

    /// `seg-00001.m4s`: numbered from 1, as the DASH template `seg-$Number%05d$.m4s` says.
    public static func segmentName(_ number: Int, extension ext: String = "m4s") -> String {
        let digits = String(number)
        return "seg-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + ext
    }

    /// Each segment's duration in seconds as the playlist writes it (6 decimals), so the bit
    /// rates computed here are the ones a checker recomputes from the playlist.
    public var segmentSeconds: [Double] {
        segments.map { Self.rounded6(Double($0.duration) / Double(timescale)) }
    }

    public var durationSeconds: Double {
        segments.reduce(0) { $0 + Double($1.duration) } / Double(timescale)
    }

    public var bytes: Int { initBytes + segments.reduce(0) { $0 + $1.bytes } }

    /// The package's target duration where it is larger than this track's own: every audio and
    /// video playlist of one master gives the same, as validators expect of renditions played
    /// together (`LadderPackager`); the peak bit rate is measured over it as well.
    public var sharedTargetDuration: Int?

    /// EXT-X-TARGETDURATION: the smallest integer not below any segment's written duration (or
    /// the package's, when larger).
    public var targetDuration: Int { Self.targetDuration(segmentSeconds, shared: sharedTargetDuration) }

    /// The smallest integer not below any of `seconds` (at least 1), or `shared` when larger.
    static func targetDuration(_ seconds: [Double], shared: Int?) -> Int {
        max(1, Int((seconds.max() ?? 1).rounded(.up)), shared ?? 0)
    }

    public var peakBitrate: Int {
        Int(SegmentBitrates.peak(sizes: segments.map(\.bytes), durations: segmentSeconds, target: Double(targetDuration)).rounded(.up))
    }

    public var averageBitrate: Int {
        Int(SegmentBitrates.average(sizes: segments.map(\.bytes), durations: segmentSeconds).rounded(.up))
    }

    static func rounded6(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}

extension PackagedTrack {
    /// Where the track's last segment ends on the presentation timeline, in seconds.
    public var endSeconds: Double {
        guard let last = segments.last else { return 0 }
        return Double(last.start + last.duration) / Double(timescale)
    }
}
