import CFFmpeg
import Foundation

/// Encodes frames of any size and pixel format as JPEG pictures of one fixed size (libavcodec's
/// mjpeg encoder): thumbnails on agents, contact sheets on the coordinator.
public final class JPEGEncoder {
    public let width: Int
    public let height: Int
    private let context: UnsafeMutablePointer<AVCodecContext>
    private var scaler: Scaler?
    private let scaled = Frame()
    private let packet = Packet()
    private var pictures: Int64 = 0

    /// `quality`: mjpeg's qscale, 2 (best) to 31.
    public init(width: Int, height: Int, quality: Int = 5) throws(MediaError) {
        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(.encoderNotFound, "this FFmpeg build has no mjpeg encoder for thumbnails")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        self.width = width
        self.height = height
        ctx.pointee.width = Int32(width)
        ctx.pointee.height = Int32(height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        ctx.pointee.color_range = AVCOL_RANGE_JPEG
        ctx.pointee.time_base = AVRational(num: 1, den: 25)
        ctx.pointee.flags |= gf_AV_CODEC_FLAG_QSCALE()
        ctx.pointee.global_quality = Int32(quality) * gf_FF_QP2LAMBDA()
        ctx.pointee.thread_count = 1
        try avCheck(avcodec_open2(ctx, codec, nil), .encodeFailed, "cannot open the mjpeg encoder at \(width)x\(height)")
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// The even size `width` wide that keeps the picture's display aspect ratio.
    public static func size(width: Int, forSourceWidth sw: Int, height sh: Int, sampleAspect: Rational = Rational(1, 1)) -> (Int, Int) {
        let sar = sampleAspect.isValid && sampleAspect.num > 0 ? Double(sampleAspect.num) / Double(sampleAspect.den) : 1
        let w = max(16, width & ~1)
        let h = max(2, Int((Double(w) * Double(sh) / (Double(sw) * sar) / 2).rounded()) * 2)
        return (w, h)
    }

    /// One JPEG picture of `frame`, scaled to this encoder's size.
    public func encode(_ frame: Frame) throws(MediaError) -> Data {
        let source = AVPixelFormat(rawValue: frame.pixelFormat)
        if scaler == nil || scaler!.sourceWidth != Int32(frame.width) || scaler!.sourceHeight != Int32(frame.height) || scaler!.sourceFormat != source {
            scaler = try Scaler(fromWidth: Int32(frame.width), fromHeight: Int32(frame.height), from: source,
                                toWidth: Int32(width), toHeight: Int32(height), to: AV_PIX_FMT_YUVJ420P)
        }
        try scaler!.convert(frame, into: scaled)
        scaled.pointer.pointee.pts = pictures
        pictures += 1
        scaled.pointer.pointee.color_range = AVCOL_RANGE_JPEG
        try avCheck(avcodec_send_frame(context, scaled.pointer), .encodeFailed, "the mjpeg encoder refused a thumbnail")
        packet.unref()
        try avCheck(avcodec_receive_packet(context, packet.pointer), .encodeFailed, "the mjpeg encoder produced no picture")
        return Data(packet.bytes)
    }
}
