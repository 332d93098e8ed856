/// One CMAF media segment as written: where it starts on the track's presentation timeline and
/// how long it lasts, both in the track's timescale, and its size on disk.
public struct PackagedSegment: Codable, Sendable, Equatable {
    public var start: Int64
    public var duration: Int64
    public var bytes: Int

    public init(start: Int64, duration: Int64, bytes: Int) {
        self.start = start
        self.duration = duration
        self.bytes = bytes
    }
}
