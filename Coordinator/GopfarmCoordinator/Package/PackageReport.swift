/// What the ladder packager wrote: every rendition and track with its measured rates, every
/// file (relative to the output directory), and what was left out and why.
public struct PackageReport: Sendable, Codable, Equatable {
    public struct Rendition: Sendable, Codable, Equatable {
        public var name: String
        /// The encoder's codec name (h264, hevc).
        public var codec: String
        /// RFC 6381, as in CODECS and @codecs.
        public var codecs: String
        public var width: Int
        public var height: Int
        public var frames: Int
        /// Init section and media segments.
        public var bytes: Int
        /// Bits per second (RFC 8216 peak and average segment bit rates).
        public var peakBitrate: Int
        public var averageBitrate: Int
        public var segments: Int
        /// "PQ" or "HLG" for an HDR rung, "(tone-mapped to SDR)" for an SDR rung of an HDR
        /// source, nil otherwise (`HDRMetadata.rangeNote`).
        public var dynamicRange: String? = nil
    }

    public struct AudioTrack: Sendable, Codable, Equatable {
        public var name: String
        /// The source stream it was copied or encoded from.
        public var sourceStream: Int
        public var sourceCodec: String
        public var codecs: String
        /// The source's AAC kept as it is (`AudioCopy`); false where encoded to AAC-LC, nil in
        /// the reports of releases that always encoded.
        public var copied: Bool?
        public var language: String?
        public var channels: Int
        public var sampleRate: Int
        public var bytes: Int
        public var peakBitrate: Int
        public var averageBitrate: Int
        public var segments: Int
    }

    public struct SubtitleTrack: Sendable, Codable, Equatable {
        public var name: String
        public var sourceStream: Int
        public var sourceCodec: String
        public var language: String?
        public var cues: Int
        public var bytes: Int
    }

    /// Frames of every rendition (they are equal, or the packager fails).
    public var videoFrames: Int
    public var renditions: [Rendition]
    public var audioTracks: [AudioTrack]
    public var subtitleTracks: [SubtitleTrack]
    public var packages: [String]
    public var segmentSeconds: Double
    public var totalBytes: Int
    /// Relative to the output directory, manifests first.
    public var files: [String]
    public var warnings: [String]
}
