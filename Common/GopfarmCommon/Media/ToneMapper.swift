import CFFmpeg

/// Tone-maps HDR pictures (PQ or HLG, BT.2020) to SDR in a `VideoFilterGraph`: zimg's `zscale` to
/// linear light (100 cd/m² nominal peak), BT.709 primaries in float, libavfilter's `tonemap`
/// (Hable's curve, no desaturation), then `zscale` to the BT.709 transfer and matrix, limited
/// range, with error-diffusion dithering, written straight in the output's pixel format: the
/// recipe FFmpeg's documentation gives. One frame out per frame in, its timestamp kept, at the
/// same size.
public final class ToneMapper {
    private let graph: VideoFilterGraph
    private let colour: (primaries: AVColorPrimaries, transfer: AVColorTransferCharacteristic, space: AVColorSpace, range: AVColorRange)

    static let toneMap = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
        + "zscale=t=bt709:m=bt709:r=tv:d=error_diffusion"

    /// The pixel format tone-mapped pictures come in, the one every SDR output of a job is encoded
    /// in: the job's `pixelFormat`, else 8-bit 4:2:0 (what SDR players take everywhere).
    public static func outputFormat(_ settings: EncodeSettings) -> AVPixelFormat {
        let asked = settings.pixelFormat.map { av_get_pix_fmt($0) } ?? AV_PIX_FMT_NONE
        return asked == AV_PIX_FMT_NONE ? AV_PIX_FMT_YUV420P : asked
    }

    /// The filter chain for a `width`×`height` picture in `input`, to `output`. zimg takes no
    /// subsampled picture with an odd side (nor does the ffmpeg CLI's tone mapping): such a
    /// picture is padded by a line, tone-mapped to 4:4:4, cut back and subsampled by libswscale.
    static func chain(width: Int, height: Int, input: AVPixelFormat, output: AVPixelFormat) -> String {
        let name = String(cString: av_get_pix_fmt_name(output))
        func subsampled(_ f: AVPixelFormat) -> Bool {
            guard let d = av_pix_fmt_desc_get(f) else { return false }
            return d.pointee.log2_chroma_w > 0 || d.pointee.log2_chroma_h > 0
        }
        guard width % 2 == 1 || height % 2 == 1, subsampled(input) || subsampled(output) else { return toneMap + ",format=" + name }
        let deep = (av_pix_fmt_desc_get(output)?.pointee.comp.0.depth ?? 8) > 8
        return "pad=\(width + width % 2):\(height + height % 2)," + toneMap + ",format=" + (deep ? "yuv444p16le" : "yuv444p")
            + ",crop=\(width):\(height):0:0,format=" + name
    }

    /// `parameters`: the stream's colour, for pictures whose own colour fields are unspecified
    /// (a container may declare what the bitstream does not). `output`: `outputFormat(_:)`.
    public init(width: Int, height: Int, pixelFormat: Int32, timeBase: Rational, sampleAspectRatio: Rational,
                parameters: CodecParameters, output: AVPixelFormat) throws(MediaError) {
        colour = (AVColorPrimaries(rawValue: parameters.colorPrimaries), AVColorTransferCharacteristic(rawValue: parameters.colorTransfer),
                  AVColorSpace(rawValue: parameters.colorSpace), AVColorRange(rawValue: parameters.colorRange))
        let chain = Self.chain(width: width, height: height, input: AVPixelFormat(rawValue: pixelFormat), output: output)
        graph = try VideoFilterGraph(chain: chain, name: "the HDR to SDR tone mapping", width: width, height: height,
                                     pixelFormat: pixelFormat, timeBase: timeBase, sampleAspectRatio: sampleAspectRatio)
    }

    /// Tone-maps `frame` into `output`.
    public func map(_ frame: Frame, into output: Frame) throws(MediaError) {
        let p = frame.pointer
        if p.pointee.color_primaries == AVCOL_PRI_UNSPECIFIED { p.pointee.color_primaries = colour.primaries }
        if p.pointee.color_trc == AVCOL_TRC_UNSPECIFIED { p.pointee.color_trc = colour.transfer }
        if p.pointee.colorspace == AVCOL_SPC_UNSPECIFIED { p.pointee.colorspace = colour.space }
        if p.pointee.color_range == AVCOL_RANGE_UNSPECIFIED { p.pointee.color_range = colour.range }
        try graph.push(frame)
        guard try graph.pull(into: output) else { throw MediaError(.encodeFailed, "the tone mapping held a frame back") }
    }
}
