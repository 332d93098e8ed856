import CFFmpeg

/// Owns an audio encoding `AVCodecContext` (AAC for MP4/MOV, Opus for WebM), its resampler
/// (`SwrContext`) and sample FIFO, so callers push decoded frames of any format and get packets.
public final class AudioEncoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    private var resampler: OpaquePointer?
    /// The layout, format and rate `resampler` was set up for.
    private var resamplerInput: String?
    private let fifo: OpaquePointer
    private let converted = Frame()
    private let chunk = Frame()
    /// Next presentation time, in samples of the output rate; set from the first frame.
    private var nextPTS: Int64?
    /// Time just after the last sample queued (FIFO and resampler), in samples of the output rate.
    private var queuedEnd: Int64?
    public let codecName: String
    /// The longest gap in the source's audio filled with silence.
    static let longestGapSeconds: Int64 = 600

    public init(codec name: String, sampleRate sourceRate: Int32, channels: Int32, bitRate: Int64) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw MediaError(.encoderNotFound, "the audio encoder '\(name)' is not available in this FFmpeg build")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        codecName = name
        let rate = Self.sampleRate(codec: name, source: sourceRate)
        ctx.pointee.sample_rate = rate
        ctx.pointee.sample_fmt = codec.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        av_channel_layout_default(&ctx.pointee.ch_layout, min(max(1, channels), 8))
        ctx.pointee.bit_rate = bitRate
        ctx.pointee.time_base = AVRational(num: 1, den: rate)
        ctx.pointee.flags |= gf_AV_CODEC_FLAG_GLOBAL_HEADER()
        try avCheck(avcodec_open2(ctx, codec, nil), .encodeFailed, "cannot open the \(name) audio encoder")
        guard let f = av_audio_fifo_alloc(ctx.pointee.sample_fmt, ctx.pointee.ch_layout.nb_channels, 4096) else {
            fatalError("av_audio_fifo_alloc: out of memory")
        }
        fifo = f
    }

    /// The rate `codec` encodes a `source`-rate stream at: the source's where the encoder takes
    /// it, else 48 kHz or the nearest it takes. Opus is always 48 kHz: every Opus decoder plays
    /// at 48 kHz and Matroska counts an Opus stream's priming in 48 kHz samples, so libopus at
    /// 8, 12, 16 or 24 kHz (whose priming is in its own rate) came out 4-6 ms late.
    public static func sampleRate(codec name: String, source: Int32) -> Int32 {
        if name == "libopus" { return 48000 }
        guard let codec = avcodec_find_encoder_by_name(name), var rates = codec.pointee.supported_samplerates else { return source }
        var list: [Int32] = []
        while rates.pointee != 0 { list.append(rates.pointee); rates += 1 }
        if list.contains(source) { return source }
        return list.contains(48000) ? 48000 : list.min { abs($0 - source) < abs($1 - source) } ?? 48000
    }

    /// The most bits per second `codec` can spend on `channels` at `sampleRate`, where the
    /// encoder has a hard limit and refuses more or cuts it without a word: FFmpeg's AAC encoder
    /// 6144 bits a channel per 1024-sample frame, libopus 256 kbit/s a channel.
    public static func maxBitRate(codec name: String, sampleRate: Int32, channels: Int32) -> Int64? {
        let ch = Int64(min(max(1, channels), 8))
        switch name {
        case "aac": return 6144 * ch * Int64(sampleRate) / 1024
        case "libopus": return 256_000 * ch
        default: return nil
        }
    }

    deinit {
        swr_free(&resampler)
        av_audio_fifo_free(fifo)
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    public var parameters: CodecParameters { CodecParameters(encoder: context) }

    public var timeBase: Rational { Rational(context.pointee.time_base) }

    /// Converts and queues a decoded frame whose pts is `pts` in `timeBase`; encodes every full
    /// encoder frame, handing packets (in `self.timeBase`) to `emit`.
    public func push(_ frame: Frame, pts: Int64, timeBase: Rational, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let start = pts == noPTS ? nil : av_rescale_q(pts, timeBase.av, context.pointee.time_base)
        if nextPTS == nil { nextPTS = start ?? 0 }
        // A gap in the source's audio (MPEG-TS captures have them, a muted stretch of a
        // broadcast) stays a gap in time: silence fills it, a second at a time, or every later
        // sample would play early against the video (a 12 s gap was dropped, and the rest played
        // 12 s early; copied audio keeps its gaps). Up to 10 minutes: a longer jump is a broken
        // timestamp, not a pause.
        if let start, let end = queuedEnd {
            let rate = Int64(context.pointee.sample_rate)
            let gap = start - end - (resampler.map { swr_get_delay($0, rate) } ?? 0)
            if gap > rate / 1000, gap <= Self.longestGapSeconds * rate {
                var left = gap
                while left > 0 {
                    let n = min(left, rate)
                    try queueSilence(Int32(n))
                    try drain(final: false, emit: emit)
                    left -= n
                }
            }
        }
        try convert(frame)
        try drain(final: false, emit: emit)
    }

    /// Flushes the resampler, the FIFO (a short last frame) and the encoder.
    public func finish(emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        guard nextPTS != nil else { return }
        try convert(nil)
        try drain(final: true, emit: emit)
        try avCheck(avcodec_send_frame(context, nil), .encodeFailed, "cannot flush the \(codecName) encoder")
        try receive(emit)
    }

    /// Resamples a frame (nil: the resampler's remainder) into the FIFO. The resampler follows
    /// the source: a frame whose layout, format or rate differs from the last one's (a capture
    /// that switches from 48 to 44.1 kHz, or from mono to stereo) flushes it and starts another.
    private func convert(_ frame: Frame?) throws(MediaError) {
        if let frame {
            let src = frame.pointer
            // PCM in Matroska, AVI, MXF and QuickTime often has no layout, only a channel count:
            // the default layout of that count, as libswresample itself assumes.
            if src.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
                let channels = src.pointee.ch_layout.nb_channels
                av_channel_layout_uninit(&src.pointee.ch_layout)
                av_channel_layout_default(&src.pointee.ch_layout, channels)
            }
            let input = Self.describe(src)
            if resampler != nil, input != resamplerInput {
                try resample(nil)
                swr_free(&resampler)
            }
            if resampler == nil {
                try avCheck(swr_alloc_set_opts2(&resampler, &context.pointee.ch_layout, context.pointee.sample_fmt, context.pointee.sample_rate,
                                                &src.pointee.ch_layout, AVSampleFormat(rawValue: src.pointee.format), src.pointee.sample_rate, 0, nil),
                            .encodeFailed, "cannot set up audio resampling")
                try avCheck(swr_init(resampler), .encodeFailed, "cannot set up audio resampling")
                resamplerInput = input
            }
        }
        try resample(frame)
    }

    /// What a frame's samples are: layout, format, rate.
    private static func describe(_ frame: UnsafeMutablePointer<AVFrame>) -> String {
        var name = [CChar](repeating: 0, count: 64)
        _ = av_channel_layout_describe(&frame.pointee.ch_layout, &name, name.count)
        return "\(String(cString: name)) \(frame.pointee.format) \(frame.pointee.sample_rate)"
    }

    private func resample(_ frame: Frame?) throws(MediaError) {
        guard let resampler else { return }
        converted.unref()
        av_channel_layout_copy(&converted.pointer.pointee.ch_layout, &context.pointee.ch_layout)
        converted.pointer.pointee.sample_rate = context.pointee.sample_rate
        converted.pointer.pointee.format = context.pointee.sample_fmt.rawValue
        try avCheck(swr_convert_frame(resampler, converted.pointer, frame?.pointer), .encodeFailed, "cannot resample audio")
        let n = converted.pointer.pointee.nb_samples
        guard n > 0 else { return }
        let written = converted.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
            av_audio_fifo_write(fifo, $0, n)
        }
        if written < n { throw MediaError(.encodeFailed, "cannot queue resampled audio") }
        queuedEnd = (queuedEnd ?? nextPTS ?? 0) + Int64(n)
    }

    private func queueSilence(_ samples: Int32) throws(MediaError) {
        let channels = context.pointee.ch_layout.nb_channels
        var data: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>? = nil
        try avCheck(av_samples_alloc_array_and_samples(&data, nil, channels, samples, context.pointee.sample_fmt, 0),
                    .encodeFailed, "cannot allocate silence")
        defer {
            av_freep(UnsafeMutableRawPointer(data!))
            av_freep(&data)
        }
        av_samples_set_silence(data, 0, samples, channels, context.pointee.sample_fmt)
        let written = data!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: Int(channels)) {
            av_audio_fifo_write(fifo, $0, samples)
        }
        if written < samples { throw MediaError(.encodeFailed, "cannot queue silence") }
        queuedEnd = (queuedEnd ?? nextPTS ?? 0) + Int64(samples)
    }

    private func drain(final: Bool, emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let size = context.pointee.frame_size > 0 ? context.pointee.frame_size : 1024
        while av_audio_fifo_size(fifo) >= size || (final && av_audio_fifo_size(fifo) > 0) {
            let n = min(size, av_audio_fifo_size(fifo))
            chunk.unref()
            chunk.pointer.pointee.nb_samples = n
            chunk.pointer.pointee.format = context.pointee.sample_fmt.rawValue
            chunk.pointer.pointee.sample_rate = context.pointee.sample_rate
            av_channel_layout_copy(&chunk.pointer.pointee.ch_layout, &context.pointee.ch_layout)
            try avCheck(av_frame_get_buffer(chunk.pointer, 0), .encodeFailed, "cannot allocate an audio frame")
            let read = chunk.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 8) {
                av_audio_fifo_read(fifo, $0, n)
            }
            if read < n { throw MediaError(.encodeFailed, "cannot read queued audio") }
            chunk.pointer.pointee.pts = nextPTS ?? 0
            nextPTS = (nextPTS ?? 0) + Int64(n)
            try avCheck(avcodec_send_frame(context, chunk.pointer), .encodeFailed, "the \(codecName) encoder refused a frame")
            try receive(emit)
        }
    }

    private func receive(_ emit: (Packet) throws(MediaError) -> Void) throws(MediaError) {
        let packet = Packet()
        while true {
            switch try avCheck(avcodec_receive_packet(context, packet.pointer), .encodeFailed, "the \(codecName) encoder failed") {
            case .ok: try emit(packet)
            case .again, .endOfStream: return
            }
        }
    }
}
