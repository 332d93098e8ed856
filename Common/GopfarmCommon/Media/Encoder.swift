import CFFmpeg
import Foundation

/// Owns an encoding `AVCodecContext` configured from `EncodeSettings`.
public final class Encoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    public let codecName: String
    private let hdr: HDRMetadata?

    /// The source properties an encoder inherits so the output looks like the source.
    public struct Source {
        public var width: Int32
        public var height: Int32
        public var pixelFormat: AVPixelFormat
        public var timeBase: Rational
        public var frameRate: Rational
        public var sampleAspectRatio: Rational
        public var colorRange: AVColorRange
        public var colorPrimaries: AVColorPrimaries
        public var colorTransfer: AVColorTransferCharacteristic
        public var colorSpace: AVColorSpace
        public var chromaLocation: AVChromaLocation
        /// Interlaced sources keep their field order: interlaced coding where the encoder has
        /// it (x264/x265 field or MBAFF coding), and the field order in the stream parameters.
        public var fieldOrder: AVFieldOrder = AV_FIELD_UNKNOWN
        /// The source's HDR10 metadata: into the bitstream where the encoder writes it, and in
        /// `parameters` for the container either way.
        public var hdr: HDRMetadata?

        public init(width: Int32, height: Int32, pixelFormat: AVPixelFormat, timeBase: Rational, frameRate: Rational,
                    sampleAspectRatio: Rational = Rational(0, 1), colorRange: AVColorRange = AVCOL_RANGE_UNSPECIFIED,
                    colorPrimaries: AVColorPrimaries = AVCOL_PRI_UNSPECIFIED,
                    colorTransfer: AVColorTransferCharacteristic = AVCOL_TRC_UNSPECIFIED,
                    colorSpace: AVColorSpace = AVCOL_SPC_UNSPECIFIED, chromaLocation: AVChromaLocation = AVCHROMA_LOC_UNSPECIFIED) {
            self.width = width
            self.height = height
            self.pixelFormat = pixelFormat
            self.timeBase = timeBase
            self.frameRate = frameRate
            self.sampleAspectRatio = sampleAspectRatio
            self.colorRange = colorRange
            self.colorPrimaries = colorPrimaries
            self.colorTransfer = colorTransfer
            self.colorSpace = colorSpace
            self.chromaLocation = chromaLocation
        }
    }

    /// `statistics`: have the encoder measure its own output (PSNR, SSIM) where it can
    /// (`EncoderStatistics.isReported(by:)`); the encoded stream is the same.
    public init(settings: EncodeSettings, source: Source, globalHeader: Bool = true, statistics: Bool = false) throws(MediaError) {
        guard let codec = avcodec_find_encoder_by_name(settings.codec) else {
            throw MediaError(.encoderNotFound, "the encoder '\(settings.codec)' is not available in this FFmpeg build")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        codecName = settings.codec
        hdr = source.hdr
        ctx.pointee.width = source.width
        ctx.pointee.height = source.height
        ctx.pointee.pix_fmt = source.pixelFormat
        ctx.pointee.time_base = source.timeBase.av
        if source.frameRate.isValid { ctx.pointee.framerate = source.frameRate.av }
        ctx.pointee.sample_aspect_ratio = source.sampleAspectRatio.av
        ctx.pointee.color_range = source.colorRange
        ctx.pointee.color_primaries = source.colorPrimaries
        ctx.pointee.color_trc = source.colorTransfer
        ctx.pointee.colorspace = source.colorSpace
        ctx.pointee.chroma_sample_location = source.chromaLocation
        ctx.pointee.field_order = source.fieldOrder
        let interlaced = [AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT].contains(source.fieldOrder)
        if interlaced, ["libx264", "libx265", "mpeg2video"].contains(settings.codec) {
            ctx.pointee.flags |= gf_AV_CODEC_FLAG_INTERLACED_DCT() | gf_AV_CODEC_FLAG_INTERLACED_ME()
        }
        ctx.pointee.thread_count = Int32(settings.threads)
        if let gop = settings.gop { ctx.pointee.gop_size = Int32(gop) }
        if globalHeader { ctx.pointee.flags |= gf_AV_CODEC_FLAG_GLOBAL_HEADER() }
        // libx264 0.164 dereferences a null chroma plane measuring PSNR of gray (I400) pictures:
        // those are measured by decoding the output instead.
        reportsStatistics = statistics && EncoderStatistics.isReported(by: settings.codec) && PixelFormatChoice.hasColour(source.pixelFormat)
        if reportsStatistics { ctx.pointee.flags |= gf_AV_CODEC_FLAG_PSNR() }

        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        func set(_ key: String, _ value: String) { av_dict_set(&options, key, value, 0) }
        if reportsStatistics { set("ssim", "1") }
        switch settings.codec {
        case "libx264", "libx265":
            // crf 0 means lossless (here and for VP9), at every bit depth: x264 adds its bit-depth offset to crf
            // (crf 0 is qp 12 at 10 bits), so lossless is asked for as qp 0; x265 as lossless=1.
            let lossless = settings.crf == 0
            if let crf = settings.crf, !lossless { set("crf", String(crf)) }
            if lossless, settings.codec == "libx264" { set("qp", "0") }
            if let preset = settings.preset { set("preset", preset) }
            // Ladder renditions: IDR frames exactly where forced (a forced I frame is an IDR,
            // no scene-cut key frames, no periodic ones), so every rung cuts at the same frames.
            let forcedOnly = settings.onlyForcedKeyFrames
            if forcedOnly {
                set("forced-idr", "1")
                ctx.pointee.gop_size = Int32(JobRules.gop.upperBound)
            }
            if settings.codec == "libx265" {
                set("x265-params", "open-gop=0:log-level=error" + (lossless ? ":lossless=1" : "") + (forcedOnly ? ":scenecut=0" : "")
                    + (source.hdr?.encoderParameters(codec: settings.codec).map { ":" + $0 } ?? ""))
            }
            // x264 starts top field first and follows each frame's flag only after the first
            // frame: say the order up front, or a bottom-first source is announced top-first.
            var x264Params: [String] = []
            if settings.codec == "libx264", interlaced {
                x264Params.append([AV_FIELD_BB, AV_FIELD_BT].contains(source.fieldOrder) ? "bff=1" : "tff=1")
            }
            if settings.codec == "libx264", forcedOnly { x264Params.append("scenecut=0") }
            if !x264Params.isEmpty { set("x264-params", x264Params.joined(separator: ":")) }
        case "libvpx-vp9":
            if settings.crf == 0 { set("lossless", "1") }
            else if let crf = settings.crf { set("crf", String(Int(crf))); if settings.bitrate == nil { ctx.pointee.bit_rate = 0 } }
            if let preset = settings.preset {
                if Int(preset) != nil { set("cpu-used", preset) } else { set("deadline", preset) }
            }
            set("row-mt", "1")
        case "libsvtav1":
            if let crf = settings.crf { set("crf", String(Int(crf))) }
            if let preset = settings.preset { set("preset", preset) }
            // No periodic key frames in a ladder rendition: SVT-AV1 ignores a forced one, so
            // `RenditionEncoder` starts a fresh encoder where the grid wants an IDR.
            if settings.onlyForcedKeyFrames { ctx.pointee.gop_size = Int32(JobRules.gop.upperBound) }
            if let hdr = source.hdr?.encoderParameters(codec: settings.codec) { set("svtav1-params", hdr) }
        case "ffv1":
            set("level", "3")
            set("slicecrc", "1")
        default: break
        }
        if let bitrate = settings.bitrate { ctx.pointee.bit_rate = Int64(bitrate) }
        if let maxRate = settings.maxRate { ctx.pointee.rc_max_rate = Int64(maxRate) }
        if let bufferSize = settings.bufferSize {
            ctx.pointee.rc_buffer_size = Int32(clamping: bufferSize)
            // Every farm segment is a fresh encoder, and each may spend what its VBV buffer starts
            // with at once: at x264's 90 % an 800k-capped rung of 3 s segments averaged 1.01 Mbit/s.
            // Half full held the cap (0.79) but starved the first IDR (a static 360p title lost
            // 4.8 dB: its whole picture is that IDR). 80 % keeps the IDR (46.78 vs 46.78 dB) and
            // trims the overshoot (0.95 Mbit/s on 3 s segments; 551k for 500k on 6 s ones).
            if settings.maxRate != nil { ctx.pointee.rc_initial_buffer_occupancy = Int32(clamping: bufferSize / 10 * 8) }
        }

        try avCheck(avcodec_open2(ctx, codec, &options), .encodeFailed, "cannot open the \(settings.codec) encoder with these options")
        // SVT-AV1 starts its threads real-time when run as root.
        if settings.codec == "libsvtav1" { RealtimeThreads.demote() }
        if let leftover = av_dict_get(options, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw MediaError(.invalidOption, "the encoder \(settings.codec) does not take the option '\(String(cString: leftover.pointee.key))'")
        }
    }

    deinit {
        // SVT-AV1 1.4 blocks forever when closed before it saw end-of-stream (an encoder
        // abandoned on an error), and also when it gets end-of-stream without any frame: end
        // the stream of such an encoder that saw frames; never open one just to close it. Only
        // that one: a flush encodes every frame in the lookahead, and an x264 veryslow encoder
        // given up on a cancel spent 10 s of a loaded machine on 60 frames nobody wanted, its
        // slot busy, until the coordinator judged the agent stuck and failed the next job.
        if codecName == "libsvtav1" && !flushed && framesSent > 0 {
            avcodec_send_frame(context, nil)
            let packet = Packet()
            while avcodec_receive_packet(context, packet.pointer) >= 0 { packet.unref() }
        }
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
    }

    private var flushed = false
    private var framesSent = 0
    /// The encoder logs PSNR and SSIM of each frame it encodes (`EncoderStatistics`).
    public let reportsStatistics: Bool

    /// What the encoder logged about the frames it has output so far (then forgotten).
    public func takeStatistics() -> EncoderStatistics.Totals? {
        reportsStatistics ? EncoderStatistics.take(UnsafeMutableRawPointer(context)) : nil
    }

    /// The parameters of the encoded stream (with extradata and the source's HDR metadata), for a muxer.
    public var parameters: CodecParameters {
        var parameters = CodecParameters(encoder: context)
        parameters.hdr = hdr
        return parameters
    }

    public var timeBase: Rational { Rational(context.pointee.time_base) }

    /// Whether `send(_:keyFrame:)` gets an IDR where asked. SVT-AV1 1.4 (through FFmpeg 5.1)
    /// takes the request and goes on with its own GOP: a new encoder is the only way to cut there.
    public static func forcesKeyFrames(_ codec: String) -> Bool {
        codec != "libsvtav1"
    }

    /// Whether any frame has been sent.
    public var hasFrames: Bool { framesSent > 0 }

    /// Sends a frame (nil: flush). Forces `keyFrame` frames to be intra.
    public func send(_ frame: Frame?, keyFrame: Bool = false) throws(MediaError) {
        if let frame {
            frame.pointer.pointee.pict_type = keyFrame ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
            if keyFrame { frame.pointer.pointee.key_frame = 1 }
        }
        if frame == nil { flushed = true } else { framesSent += 1 }
        try avCheck(avcodec_send_frame(context, frame?.pointer), .encodeFailed, "the \(codecName) encoder refused a frame")
    }

    /// Receives the next encoded packet; false when the encoder needs more input or is done.
    public func receive(into packet: Packet) throws(MediaError) -> Bool {
        packet.unref()
        switch try avCheck(avcodec_receive_packet(context, packet.pointer), .encodeFailed, "the \(codecName) encoder failed") {
        case .ok: return true
        case .again, .endOfStream: return false
        }
    }

    /// Encodes one mid-grey frame and flushes: proves the options work end to end (and leaves
    /// the encoder in a state every library can close).
    public func selfTest(width: Int, height: Int, pixelFormat: AVPixelFormat) throws(MediaError) {
        let frame = Frame()
        try frame.allocate(width: width, height: height, format: pixelFormat)
        try frame.fillBlack()
        frame.setPTS(0)
        try send(frame, keyFrame: true)
        try send(nil)
        let packet = Packet()
        while try receive(into: packet) {}
    }

    /// Pixel formats the named encoder accepts, best first (nil: any).
    public static func supportedPixelFormats(codec: String) -> [AVPixelFormat]? {
        guard let c = avcodec_find_encoder_by_name(codec), var p = c.pointee.pix_fmts else { return nil }
        var formats: [AVPixelFormat] = []
        while p.pointee != AV_PIX_FMT_NONE {
            formats.append(p.pointee)
            p += 1
        }
        return formats
    }

    /// Names of the encoders of `EncodeSettings.supportedCodecs` that this FFmpeg has.
    public static func availableEncoders() -> [String] {
        EncodeSettings.supportedCodecs.filter { avcodec_find_encoder_by_name($0) != nil }
    }
}
