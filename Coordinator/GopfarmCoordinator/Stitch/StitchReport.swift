/// What the stitcher wrote.
public struct StitchReport: Sendable, Codable {
    public var videoFrames: Int
    public var audioPackets: Int
    public var streams: [String]
    public var warnings: [String]
    public var bytes: Int64
}
