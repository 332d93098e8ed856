import CFFmpeg

/// Owns the libavfilter graph that tone-maps HDR pictures (PQ or HLG, BT.2020) to SDR: zimg's
/// `zscale` to linear light (100 cd/m² nominal peak), BT.709 primaries in float, libavfilter's
/// `tonemap` (Hable's curve, no desaturation), then `zscale` to the BT.709 transfer and matrix,
/// limited range, 8-bit 4:2:0 with error-diffusion dithering. One frame out per frame in, its
/// timestamp kept, at the same size: the recipe FFmpeg's own documentation gives.
public final class ToneMapper {
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private let source: UnsafeMutablePointer<AVFilterContext>
    private let sink: UnsafeMutablePointer<AVFilterContext>
    private let timeBase: Rational
    private let colour: (primaries: AVColorPrimaries, transfer: AVColorTransferCharacteristic, space: AVColorSpace, range: AVColorRange)

    /// The chain between the buffer source and sink.
    static let chain = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
        + "zscale=t=bt709:m=bt709:r=tv:d=error_diffusion,format=yuv420p"

    /// `parameters`: the stream's colour, for pictures whose own colour fields are unspecified
    /// (a container may declare what the bitstream does not).
    public init(width: Int, height: Int, pixelFormat: Int32, timeBase: Rational, sampleAspectRatio: Rational,
                parameters: CodecParameters) throws(MediaError) {
        self.timeBase = timeBase
        colour = (AVColorPrimaries(rawValue: parameters.colorPrimaries), AVColorTransferCharacteristic(rawValue: parameters.colorTransfer),
                  AVColorSpace(rawValue: parameters.colorSpace), AVColorRange(rawValue: parameters.colorRange))
        guard let g = avfilter_graph_alloc() else { fatalError("avfilter_graph_alloc: out of memory") }
        graph = g
        let sar = sampleAspectRatio.isValid ? sampleAspectRatio : Rational(1, 1)
        let args = "video_size=\(width)x\(height):pix_fmt=\(pixelFormat):time_base=\(timeBase.num)/\(timeBase.den):pixel_aspect=\(sar.num)/\(sar.den)"
        var src: UnsafeMutablePointer<AVFilterContext>? = nil
        var dst: UnsafeMutablePointer<AVFilterContext>? = nil
        let fail = "cannot set up the HDR to SDR tone mapping (zscale, tonemap)"
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
            try avCheck(avfilter_graph_parse_ptr(g, Self.chain, &inputs, &outputs, nil), .encodeFailed, fail)
            try avCheck(avfilter_graph_config(g, nil), .encodeFailed, fail)
            source = src
            sink = dst
        } catch {
            avfilter_graph_free(&graph)
            throw error
        }
    }

    deinit { avfilter_graph_free(&graph) }

    /// Tone-maps `frame` into `output` (its timestamp in the input's time base).
    public func map(_ frame: Frame, into output: Frame) throws(MediaError) {
        let p = frame.pointer
        if p.pointee.color_primaries == AVCOL_PRI_UNSPECIFIED { p.pointee.color_primaries = colour.primaries }
        if p.pointee.color_trc == AVCOL_TRC_UNSPECIFIED { p.pointee.color_trc = colour.transfer }
        if p.pointee.colorspace == AVCOL_SPC_UNSPECIFIED { p.pointee.colorspace = colour.space }
        if p.pointee.color_range == AVCOL_RANGE_UNSPECIFIED { p.pointee.color_range = colour.range }
        try avCheck(av_buffersrc_add_frame_flags(source, p, Int32(AV_BUFFERSRC_FLAG_KEEP_REF)), .encodeFailed,
                    "the tone mapping refused a frame")
        output.unref()
        switch try avCheck(av_buffersink_get_frame(sink, output.pointer), .encodeFailed, "the tone mapping failed") {
        case .ok:
            let pts = output.pointer.pointee.pts
            if pts != noPTS { output.setPTS(av_rescale_q(pts, av_buffersink_get_time_base(sink), timeBase.av)) }
        case .again, .endOfStream:
            throw MediaError(.encodeFailed, "the tone mapping held a frame back")
        }
    }
}
