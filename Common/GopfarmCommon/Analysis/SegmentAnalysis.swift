import Foundation

/// What an agent learned about one segment while decoding it. Travels as the second payload
/// frame of a `SegmentResult` (JSON), so the header stays small.
public struct SegmentAnalysis: Codable, Sendable, Equatable {
    public var series: FrameSeries
    public var first: FrameSignature
    public var last: FrameSignature
    /// JPEG thumbnails of candidate frames (the segment's first frame, cut candidates, one every
    /// `thumbnailSeconds`); the coordinator keeps one per scene.
    public var thumbnails: [Thumbnail]
    /// Seconds spent analyzing (measures, thumbnails, quality), part of the segment's time.
    public var analysisSeconds: Double

    public init(series: FrameSeries, first: FrameSignature, last: FrameSignature, thumbnails: [Thumbnail], analysisSeconds: Double) {
        self.series = series
        self.first = first
        self.last = last
        self.thumbnails = thumbnails
        self.analysisSeconds = analysisSeconds
    }

    /// As it travels: JSON with its base64 as it is, not `/` escaped as `\/` (JSONEncoder's
    /// default). Every signature and thumbnail is base64, and an escape sends Foundation's decoder
    /// down its slow path: a 7.5 s 720p part's record decoded in 4.96 ms escaped, 0.37 ms not,
    /// and the coordinator decodes each twice (on arrival, and in the merge at the job's end).
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return try! encoder.encode(self)
    }

    public struct Thumbnail: Codable, Sendable, Equatable {
        public var pts: Int64
        public var width: Int
        public var height: Int
        public var jpeg: Data
        public init(pts: Int64, width: Int, height: Int, jpeg: Data) {
            self.pts = pts
            self.width = width
            self.height = height
            self.jpeg = jpeg
        }
    }
}
