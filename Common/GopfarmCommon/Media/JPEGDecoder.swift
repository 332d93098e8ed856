import CFFmpeg
import Foundation

/// Decodes JPEG pictures (libavcodec's mjpeg decoder) into frames: thumbnails read back on the
/// coordinator to compose contact sheets, and pictures checked by tests.
public final class JPEGDecoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let packet = Packet()

    public init() throws(MediaError) {
        guard let codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG) else {
            throw MediaError(.unsupportedCodec, "this FFmpeg build has no mjpeg decoder for thumbnails")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        ctx.pointee.thread_count = 1
        try avCheck(avcodec_open2(ctx, codec, nil), .decodeFailed, "cannot open the mjpeg decoder")
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Replaces `frame`'s content with the picture in `jpeg` (in the pixel format the picture was
    /// coded in, usually `yuvj420p`).
    public func decode(_ jpeg: Data, into frame: Frame) throws(MediaError) {
        guard !jpeg.isEmpty else { throw MediaError(.decodeFailed, "an empty JPEG picture") }
        let filled: Result<Void, MediaError> = jpeg.withUnsafeBytes { raw in
            Result { () throws(MediaError) in
                try packet.fill(data: raw, pts: 0, dts: 0, duration: 1, flags: gf_AV_PKT_FLAG_KEY())
            }
        }
        try filled.get()
        frame.unref()
        // mjpeg is intra-only and has no delay: one packet in, one picture out, nothing buffered.
        try avCheck(avcodec_send_packet(context, packet.pointer), .decodeFailed, "the mjpeg decoder refused a picture")
        guard case .ok = try avCheck(avcodec_receive_frame(context, frame.pointer), .decodeFailed, "the mjpeg decoder failed"),
              frame.width > 0, frame.height > 0 else {
            throw MediaError(.decodeFailed, "the JPEG data holds no picture")
        }
    }

    /// The picture in `jpeg`, in a new frame.
    public func decode(_ jpeg: Data) throws(MediaError) -> Frame {
        let frame = Frame()
        try decode(jpeg, into: frame)
        return frame
    }
}
