import CFFmpeg

/// Tone-maps HDR pictures (PQ or HLG, BT.2020) to SDR in a `VideoFilterGraph`: zimg's `zscale` to
/// linear light (100 cd/m² nominal peak), BT.709 primaries in float, libavfilter's `tonemap`
/// (Hable's curve, no desaturation), then `zscale` to the BT.709 transfer and matrix, limited
/// range, 8-bit 4:2:0 with error-diffusion dithering: the recipe FFmpeg's documentation gives.
/// One frame out per frame in, its timestamp kept, at the same size.
public final class ToneMapper {
    private let graph: VideoFilterGraph
    private let colour: (primaries: AVColorPrimaries, transfer: AVColorTransferCharacteristic, space: AVColorSpace, range: AVColorRange)

    static let chain = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
        + "zscale=t=bt709:m=bt709:r=tv:d=error_diffusion,format=yuv420p"

    /// `parameters`: the stream's colour, for pictures whose own colour fields are unspecified
    /// (a container may declare what the bitstream does not).
    public init(width: Int, height: Int, pixelFormat: Int32, timeBase: Rational, sampleAspectRatio: Rational,
                parameters: CodecParameters) throws(MediaError) {
        colour = (AVColorPrimaries(rawValue: parameters.colorPrimaries), AVColorTransferCharacteristic(rawValue: parameters.colorTransfer),
                  AVColorSpace(rawValue: parameters.colorSpace), AVColorRange(rawValue: parameters.colorRange))
        graph = try VideoFilterGraph(chain: Self.chain, name: "the HDR to SDR tone mapping", width: width, height: height,
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
