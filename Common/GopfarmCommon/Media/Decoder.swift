import CFFmpeg

/// Owns a decoding `AVCodecContext`.
public final class Decoder {
    let context: UnsafeMutablePointer<AVCodecContext>

    public init(parameters: CodecParameters, timeBase: Rational, threads: Int) throws(MediaError) {
        let alphaDecoder = parameters.vp9AlphaBeside ? avcodec_find_decoder_by_name("libvpx-vp9") : nil
        guard let codec = alphaDecoder ?? avcodec_find_decoder(AVCodecID(rawValue: parameters.codecID)) else {
            throw MediaError(.unsupportedCodec, "no decoder for codec '\(parameters.codecName)'")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        guard let par = avcodec_parameters_alloc() else { fatalError("avcodec_parameters_alloc: out of memory") }
        var parOwner: UnsafeMutablePointer<AVCodecParameters>? = par
        defer { avcodec_parameters_free(&parOwner) }
        try parameters.apply(to: par)
        try avCheck(avcodec_parameters_to_context(ctx, par), .decodeFailed, "cannot configure the \(parameters.codecName) decoder")
        ctx.pointee.pkt_timebase = timeBase.av
        ctx.pointee.thread_count = Int32(threads)
        try avCheck(avcodec_open2(ctx, codec, nil), .decodeFailed, "cannot open the \(parameters.codecName) decoder")
    }

    /// A decoder for a stream of an open input, with its parameters exactly as demuxed
    /// (channel layouts and all), for audio handled on the coordinator.
    public init(input: InputContainer, stream index: Int) throws(MediaError) {
        let st = input.stream(index)
        let id = st.pointee.codecpar.pointee.codec_id
        guard let codec = avcodec_find_decoder(id) else {
            throw MediaError(.unsupportedCodec, "no decoder for codec '\(String(cString: avcodec_get_name(id)))'", path: input.path)
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        try avCheck(avcodec_parameters_to_context(ctx, st.pointee.codecpar), .decodeFailed, "cannot configure a decoder", path: input.path)
        ctx.pointee.pkt_timebase = st.pointee.time_base
        try avCheck(avcodec_open2(ctx, codec, nil), .decodeFailed, "cannot open the \(String(cString: codec.pointee.name)) decoder", path: input.path)
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    /// Whether the decoder skips the frames no other frame refers to (`skip_frame`), from the
    /// next packet sent on. With frame threads too: each packet carries the setting it was sent with.
    public var skipsNonReference: Bool {
        get { context.pointee.skip_frame == AVDISCARD_NONREF }
        set { context.pointee.skip_frame = newValue ? AVDISCARD_NONREF : AVDISCARD_DEFAULT }
    }

    /// Leaves out the deblocking and inverse transforms: the pictures come out wrong, in the
    /// right order and at the right times, several times faster (for learning that order).
    public func skipPictureWork() {
        context.pointee.skip_loop_filter = AVDISCARD_ALL
        context.pointee.skip_idct = AVDISCARD_ALL
    }

    /// Codecs whose decoders skip non-reference frames exactly by the bitstream's own marks
    /// (H.264's nal_ref_idc, HEVC's sub-layer non-reference NAL types, MPEG-2's B pictures).
    public static func skipsNonReferenceExactly(_ parameters: CodecParameters) -> Bool {
        [AV_CODEC_ID_H264, AV_CODEC_ID_HEVC, AV_CODEC_ID_MPEG2VIDEO].contains(AVCodecID(rawValue: parameters.codecID))
    }

    /// Sends a packet (nil: end of stream). A packet the decoder rejects as invalid data is
    /// reported as `.invalid` so the caller can count damaged frames and go on.
    public enum SendOutcome { case accepted, full, invalid(Int32) }

    public func send(_ packet: Packet?) throws(MediaError) -> SendOutcome {
        let ret = avcodec_send_packet(context, packet?.pointer)
        if ret >= 0 || ret == gf_AVERROR_EOF() { return .accepted }
        if ret == gf_AVERROR_EAGAIN() { return .full }
        if ret == gf_AVERROR_INVALIDDATA() || ret == gf_AVERROR(EIO) { return .invalid(ret) }
        throw MediaError(.decodeFailed, "the decoder failed", averror: ret)
    }

    /// Receives the next frame: true when `frame` holds one, false when more input is needed or
    /// the stream is over.
    public func receive(into frame: Frame) throws(MediaError) -> Bool {
        let ret = avcodec_receive_frame(context, frame.pointer)
        if ret >= 0 { return true }
        if ret == gf_AVERROR_EAGAIN() || ret == gf_AVERROR_EOF() { return false }
        if ret == gf_AVERROR_INVALIDDATA() { return false }
        throw MediaError(.decodeFailed, "the decoder failed", averror: ret)
    }
}
