import CFFmpeg
import Foundation

/// One text subtitle stream converted to the text format an output container takes (SubRip or
/// ASS into MP4's mov_text, anything into WebM's WebVTT), as the ffmpeg CLI converts it: each
/// packet decoded to its styled lines and encoded again, timed by the packet (WebVTT's text then
/// escaped, `WebVTT.sanitized`, where the CLI leaves it unescaped). Owns both codec
/// contexts. Bitmap subtitles (DVD, Blu-ray PGS) cannot become text and are not converted.
public final class SubtitleConverter {
    private let decoder: UnsafeMutablePointer<AVCodecContext>
    private let encoder: UnsafeMutablePointer<AVCodecContext>
    private let inputTimeBase: Rational
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    /// True when `codecID` is a text subtitle format that `init` can convert to `target`.
    public static func converts(_ codecID: UInt32, to target: UInt32) -> Bool {
        guard target != AV_CODEC_ID_NONE.rawValue, avcodec_find_encoder(AVCodecID(rawValue: target)) != nil,
              let descriptor = avcodec_descriptor_get(AVCodecID(rawValue: codecID)) else { return false }
        return descriptor.pointee.props & gf_AV_CODEC_PROP_TEXT_SUB() != 0 && avcodec_find_decoder(AVCodecID(rawValue: codecID)) != nil
    }

    public init(input: InputContainer, stream index: Int, to target: UInt32) throws(MediaError) {
        let st = input.stream(index)
        inputTimeBase = Rational(st.pointee.time_base)
        let name = String(cString: avcodec_get_name(st.pointee.codecpar.pointee.codec_id))
        guard let decoding = avcodec_find_decoder(st.pointee.codecpar.pointee.codec_id),
              let encoding = avcodec_find_encoder(AVCodecID(rawValue: target)) else {
            throw MediaError(.unsupportedCodec, "cannot convert \(name) subtitles", path: input.path)
        }
        guard let dec = avcodec_alloc_context3(decoding), let enc = avcodec_alloc_context3(encoding) else {
            fatalError("avcodec_alloc_context3: out of memory")
        }
        decoder = dec
        encoder = enc
        try avCheck(avcodec_parameters_to_context(dec, st.pointee.codecpar), .decodeFailed, "cannot configure the \(name) subtitle decoder", path: input.path)
        dec.pointee.pkt_timebase = st.pointee.time_base
        try avCheck(avcodec_open2(dec, decoding, nil), .decodeFailed, "cannot open the \(name) subtitle decoder", path: input.path)
        // The styles the decoder read from the source (an ASS header), which the encoder writes.
        if dec.pointee.subtitle_header_size > 0, let header = dec.pointee.subtitle_header {
            let size = Int(dec.pointee.subtitle_header_size)
            guard let copy = av_mallocz(size + 1)?.assumingMemoryBound(to: UInt8.self) else { fatalError("av_mallocz: out of memory") }
            copy.update(from: header, count: size)
            enc.pointee.subtitle_header = copy
            enc.pointee.subtitle_header_size = Int32(size)
        }
        enc.pointee.time_base = gf_AV_TIME_BASE_Q()
        try avCheck(avcodec_open2(enc, encoding, nil), .encodeFailed,
                    "cannot open the \(String(cString: encoding.pointee.name)) subtitle encoder", path: input.path)
    }

    deinit {
        var d: UnsafeMutablePointer<AVCodecContext>? = decoder
        avcodec_free_context(&d)
        var e: UnsafeMutablePointer<AVCodecContext>? = encoder
        avcodec_free_context(&e)
    }

    public var parameters: CodecParameters { CodecParameters(encoder: encoder) }
    /// The time base of the packets `convert` returns.
    public var timeBase: Rational { Rational(gf_AV_TIME_BASE_Q()) }

    /// The packet converted (timestamps in `timeBase`, shifted back by `shift` input ticks), or
    /// nil when it holds no text (a clearing event) or cannot be read.
    public func convert(_ packet: Packet, shift: Int64) throws(MediaError) -> Packet? {
        var subtitle = AVSubtitle()
        var got: Int32 = 0
        guard avcodec_decode_subtitle2(decoder, &subtitle, &got, packet.pointer) >= 0, got != 0 else { return nil }
        defer { avsubtitle_free(&subtitle) }
        guard subtitle.num_rects > 0, packet.pts != noPTS else { return nil }
        let start = av_rescale_q(packet.pts - shift, inputTimeBase.av, gf_AV_TIME_BASE_Q())
            + Int64(subtitle.start_display_time) * 1000
        var end = Int64(subtitle.end_display_time) - Int64(subtitle.start_display_time)
        if end <= 0 || subtitle.end_display_time == UInt32.max, packet.duration > 0 {
            end = av_rescale_q(packet.duration, inputTimeBase.av, AVRational(num: 1, den: 1000))
        }
        subtitle.end_display_time = UInt32(clamping: max(0, end))
        subtitle.start_display_time = 0
        subtitle.pts = start
        let size = buffer.withUnsafeMutableBufferPointer { avcodec_encode_subtitle(encoder, $0.baseAddress, Int32($0.count), &subtitle) }
        guard size > 0 else {
            if size < 0 { throw MediaError(.encodeFailed, "cannot encode a subtitle", averror: size) }
            return nil
        }
        var payload = Array(buffer[0..<Int(size)])
        if encoder.pointee.codec_id == AV_CODEC_ID_WEBVTT {
            // libavcodec's WebVTT encoder writes the text as it comes: `&`, a `<` that starts no
            // tag and "-->" make cues a player misreads or drops (an ASS line "Tom & Jerry <3").
            payload = Array(WebVTT.sanitized(String(decoding: payload, as: UTF8.self)).utf8)
            guard !payload.isEmpty else { return nil }
        }
        let out = Packet()
        let duration = Int64(subtitle.end_display_time) * 1000
        let filled = payload.withUnsafeBytes { bytes in
            Result { () throws(MediaError) in
                try out.fill(data: bytes, pts: start, dts: start, duration: duration, flags: gf_AV_PKT_FLAG_KEY())
            }
        }
        try filled.get()
        return out
    }
}
