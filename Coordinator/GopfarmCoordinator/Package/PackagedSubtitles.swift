/// One source text subtitle track converted to WebVTT, offered in HLS beside the CMAF tracks:
/// one `directory/seg-NNNNN.vtt` per packaging segment of the video, cut where the video's are
/// (RFC 8216 3.5), so a player fetches them as it plays and every playlist of the package keeps
/// one target duration.
public struct PackagedSubtitles: Codable, Sendable, Equatable {
    public var name: String
    public var directory: String
    public var language: String?
    public var cues: Int
    /// Each WebVTT segment: its start and length on the video's timeline (in `timescale`) and
    /// its size.
    public var segments: [PackagedSegment]
    public var timescale: Int64
    /// The source marks the track default (shown unless the viewer turns subtitles off) or
    /// forced (shown even then); most subtitle tracks are neither, and stay off.
    public var isDefault = false
    public var isForced = false
    public var title: String?
    /// The package's target duration (see `PackagedTrack.sharedTargetDuration`).
    public var sharedTargetDuration: Int?

    public init(name: String, directory: String, language: String?, cues: Int, segments: [PackagedSegment], timescale: Int64) {
        self.name = name
        self.directory = directory
        self.language = language
        self.cues = cues
        self.segments = segments
        self.timescale = timescale
    }

    /// `seg-00001.vtt`, numbered from 1 like the CMAF segments.
    public static func segmentName(_ number: Int) -> String { PackagedTrack.segmentName(number, extension: "vtt") }

    public var bytes: Int { segments.reduce(0) { $0 + $1.bytes } }

    /// Each segment's duration in seconds as the playlist writes it (6 decimals).
    public var segmentSeconds: [Double] {
        segments.map { PackagedTrack.rounded6(Double($0.duration) / Double(timescale)) }
    }

    /// EXT-X-TARGETDURATION, as for a CMAF track.
    public var targetDuration: Int { PackagedTrack.targetDuration(segmentSeconds, shared: sharedTargetDuration) }
}
