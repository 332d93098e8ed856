import CFFmpeg

/// Owns one libavfilter graph for video: a buffer source, a chain of filters as libavfilter's
/// text gives it (`bwdif=mode=send_frame`, `zscale=…,tonemap=…`), a buffer sink. Frames go in
/// with `push`, come out with `pull` with their timestamps in the input's time base (a filter may
/// change its own; bwdif halves it). `Deinterlacer` and `ToneMapper` say what runs in it.
public final class VideoFilterGraph {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private let timeBase: Rational
    /// What the graph does, for its error sentences ("the deinterlacer", "the tone mapping").
    private let name: String

    public init(chain: String, name: String, width: Int, height: Int, pixelFormat: Int32, timeBase: Rational,
                sampleAspectRatio: Rational) throws(MediaError) {
        self.timeBase = timeBase
        self.name = name
        guard let g = avfilter_graph_alloc() else { fatalError("avfilter_graph_alloc: out of memory") }
        graph = g
        let sar = sampleAspectRatio.isValid ? sampleAspectRatio : Rational(1, 1)
        let args = "video_size=\(width)x\(height):pix_fmt=\(pixelFormat):time_base=\(timeBase.num)/\(timeBase.den):pixel_aspect=\(sar.num)/\(sar.den)"
        var src: UnsafeMutablePointer<AVFilterContext>? = nil
        var dst: UnsafeMutablePointer<AVFilterContext>? = nil
        let fail = "cannot set up \(name) (\(chain))"
        do throws(MediaError) {
            try avCheck(avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"), "in", args, nil, g), .encodeFailed, fail)
            try avCheck(avfilter_graph_create_filter(&dst, avfilter_get_by_name("buffersink"), "out", nil, nil, g), .encodeFailed, fail)
            guard let src, let dst else { throw MediaError(.encodeFailed, fail) }
            // The chain's open ends: its input is fed by "in", its output feeds "out". The parse
            // takes both lists and leaves in them what it did not link, freed here.
            var outputs = avfilter_inout_alloc(), inputs = avfilter_inout_alloc()
            defer { avfilter_inout_free(&outputs); avfilter_inout_free(&inputs) }
            guard let ends = outputs, let starts = inputs else { fatalError("avfilter_inout_alloc: out of memory") }
            ends.pointee.name = av_strdup("in")
            ends.pointee.filter_ctx = src
            starts.pointee.name = av_strdup("out")
            starts.pointee.filter_ctx = dst
            try avCheck(avfilter_graph_parse_ptr(g, chain, &inputs, &outputs, nil), .encodeFailed, fail)
            try avCheck(avfilter_graph_config(g, nil), .encodeFailed, fail)
            source = src
            sink = dst
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
    }

    deinit { avfilter_graph_free(&graph) }

    /// Hands a frame to the graph (nil: end of stream).
    public func push(_ frame: Frame?) throws(MediaError) {
        try avCheck(av_buffersrc_add_frame_flags(source, frame?.pointer, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)),
                    .encodeFailed, "\(name) refused a frame")
    }

    /// The next frame out, if one is ready, its timestamp in the input's time base.
    public func pull(into frame: Frame) throws(MediaError) -> Bool {
        frame.unref()
        switch try avCheck(av_buffersink_get_frame(sink, frame.pointer), .encodeFailed, "\(name) failed") {
        case .ok:
            let pts = frame.pointer.pointee.pts
            if pts != noPTS { frame.setPTS(av_rescale_q(pts, av_buffersink_get_time_base(sink), timeBase.av)) }
            return true
        case .again, .endOfStream: return false
        }
    }
}
