/// What the coordinator learned about an input file, printed by `gopfarm probe`.
public struct MediaInfo: Codable, Sendable, Equatable {
    public struct Stream: Codable, Sendable, Equatable {
        public var index: Int
        public var type: String
        public var codec: String
        public var timeBase: Rational
        public var startTime: Double?
        public var duration: Double?
        public var language: String?
        // video
        public var width: Int?
        public var height: Int?
        public var pixelFormat: String?
        public var colorRange: String?
        public var colorPrimaries: String?
        public var colorTransfer: String?
        public var colorSpace: String?
        /// HDR10 static metadata (the container's, else the first frame's).
        public var hdr: HDRMetadata?
        public var rotation: Double?
        public var realFrameRate: Rational?
        public var averageFrameRate: Rational?
        // audio
        public var sampleRate: Int?
        public var channels: Int?
    }

    public struct KeyFrame: Codable, Sendable, Equatable {
        public var packet: Int
        /// Seconds from the file's start (`MediaInfo.startTime`).
        public var time: Double
        public var kind: String
    }

    public var path: String
    public var container: String
    public var containerLongName: String
    public var sizeBytes: Int64
    public var duration: Double
    /// The file's first timestamp in seconds (the container's start). Key frame and warning
    /// times count from it, as the plan does; streams' `startTime` are their raw times. (nil in
    /// records written before it was kept: their times are raw.)
    public var startTime: Double?
    /// How long the video plays: its first shown frame to the end of its last (an MP4 whose
    /// edit list starts it 10 s in lasts 20 s as a file, 10 s of video). nil in older records.
    public var videoDuration: Double?
    public var streams: [Stream]
    public var videoStream: Int
    /// Frames a player shows (packets not hidden by an edit list).
    public var frameCount: Int
    /// Frames the container's index promised, when it says (MP4 sample tables do).
    public var declaredFrameCount: Int?
    public var variableFrameRate: Bool
    public var keyFrames: [KeyFrame]
    public var openGOP: Bool
    public var falseKeyFrames: Int
    public var corruptPackets: [Int]
    public var warnings: [String]

    /// The seconds of video a job works through (realtime factors count against these).
    public var videoSeconds: Double { videoDuration ?? duration }
}
