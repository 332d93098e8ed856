import CFFmpeg

/// Owns the one libavfilter graph the agent may use: `bwdif` (FFmpeg's best field-aware
/// deinterlacer), one progressive frame out per frame in (`mode=send_frame`), the frame's
/// timestamp kept, field order read from each frame (`parity=auto`). It holds one frame back
/// (it looks at the next one), so `finish()` must be called to get the last.
public final class Deinterlacer {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private let timeBase: Rational

    public init(width: Int, height: Int, pixelFormat: Int32, timeBase: Rational, sampleAspectRatio: Rational) throws(MediaError) {
        self.timeBase = timeBase
        guard let g = avfilter_graph_alloc() else { fatalError("avfilter_graph_alloc: out of memory") }
        graph = g
        let sar = sampleAspectRatio.isValid ? sampleAspectRatio : Rational(1, 1)
        let args = "video_size=\(width)x\(height):pix_fmt=\(pixelFormat):time_base=\(timeBase.num)/\(timeBase.den):pixel_aspect=\(sar.num)/\(sar.den)"
        var src: UnsafeMutablePointer<AVFilterContext>? = nil
        var dst: UnsafeMutablePointer<AVFilterContext>? = nil
        var filter: UnsafeMutablePointer<AVFilterContext>? = nil
        let fail = "cannot set up the bwdif deinterlacer"
        do throws(MediaError) {
            try avCheck(avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, nil, g), .encodeFailed, fail)
            try avCheck(avfilter_graph_create_filter(&dst, avfilter_get_by_name("buffersink"), "out", nil, nil, g), .encodeFailed, fail)
            try avCheck(avfilter_graph_create_filter(&filter, avfilter_get_by_name("bwdif"), "bwdif", "mode=send_frame:parity=auto:deint=all", nil, g),
                        .encodeFailed, fail)
            guard let src, let dst, let filter else { throw MediaError(.encodeFailed, fail) }
            try avCheck(avfilter_link(src, 0, filter, 0), .encodeFailed, fail)
            try avCheck(avfilter_link(filter, 0, dst, 0), .encodeFailed, fail)
            try avCheck(avfilter_graph_config(g, nil), .encodeFailed, fail)
            source = src
            sink = dst
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
    }

    deinit { avfilter_graph_free(&graph) }

    /// Hands a decoded frame to the filter (nil: end of stream).
    public func push(_ frame: Frame?) throws(MediaError) {
        try avCheck(av_buffersrc_add_frame_flags(source, frame?.pointer, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)),
                    .encodeFailed, "the deinterlacer refused a frame")
    }

    /// The next deinterlaced frame, if one is ready, with its timestamp in the input's time base
    /// (bwdif halves its output time base, for its one-frame-per-field mode).
    public func pull(into frame: Frame) throws(MediaError) -> Bool {
        frame.unref()
        switch try avCheck(av_buffersink_get_frame(sink, frame.pointer), .encodeFailed, "the deinterlacer failed") {
        case .ok:
            let pts = frame.pointer.pointee.pts
            if pts != noPTS { frame.setPTS(av_rescale_q(pts, av_buffersink_get_time_base(sink), timeBase.av)) }
            return true
        case .again, .endOfStream: return false
        }
    }
}
