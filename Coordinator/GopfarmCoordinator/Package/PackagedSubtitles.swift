/// One source text subtitle track converted to a single WebVTT file (`directory/subs.vtt`),
/// offered beside the CMAF tracks: one HLS segment as long as the presentation, a DASH sidecar.
public struct PackagedSubtitles: Codable, Sendable, Equatable {
    public var name: String
    public var directory: String
    public var language: String?
    public var cues: Int
    public var bytes: Int
    /// The presentation's duration in seconds (the playlist's only segment lasts that long).
    public var durationSeconds: Double
    /// The source marks the track default (shown unless the viewer turns subtitles off) or
    /// forced (shown even then); most subtitle tracks are neither, and stay off.
    public var isDefault = false
    public var isForced = false
    public var title: String?

    public static let fileName = "subs.vtt"

    public init(name: String, directory: String, language: String?, cues: Int, bytes: Int, durationSeconds: Double) {
        self.name = name
        self.directory = directory
        self.language = language
        self.cues = cues
        self.bytes = bytes
        self.durationSeconds = durationSeconds
    }
}
