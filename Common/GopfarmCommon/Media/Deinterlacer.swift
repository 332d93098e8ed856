import CFFmpeg

/// The agent's deinterlacer: `bwdif` (FFmpeg's best field-aware deinterlacer) in a
/// `VideoFilterGraph`, one progressive frame out per frame in (`mode=send_frame`), the frame's
/// timestamp kept, field order read from each frame (`parity=auto`). It holds one frame back
/// (it looks at the next one), so `push(nil)` must be called at the end to get the last.
public final class Deinterlacer {
    private let graph: VideoFilterGraph

    public init(width: Int, height: Int, pixelFormat: Int32, timeBase: Rational, sampleAspectRatio: Rational) throws(MediaError) {
        graph = try VideoFilterGraph(chain: "bwdif=mode=send_frame:parity=auto:deint=all", name: "the bwdif deinterlacer", width: width,
                                     height: height, pixelFormat: pixelFormat, timeBase: timeBase, sampleAspectRatio: sampleAspectRatio)
    }

    /// Hands a decoded frame to the filter (nil: end of stream).
    public func push(_ frame: Frame?) throws(MediaError) { try graph.push(frame) }

    /// The next deinterlaced frame, if one is ready, with its timestamp in the input's time base.
    public func pull(into frame: Frame) throws(MediaError) -> Bool { try graph.pull(into: frame) }
}
