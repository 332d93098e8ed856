import CFFmpeg
import Foundation

/// A value copy of `AVCodecParameters`: everything a decoder or muxer needs to take a stream
/// somewhere else (another process, another container) without the original file.
public struct CodecParameters: Codable, Sendable, Equatable {
    public var mediaType: Int32
    public var codecID: UInt32
    public var codecTag: UInt32
    /// Base64 in JSON: a byte array decodes element by element, and the stitcher reads one
    /// payload header per segment.
    public var extradata: Data
    public var format: Int32
    public var bitRate: Int64
    public var bitsPerCodedSample: Int32
    public var bitsPerRawSample: Int32
    public var profile: Int32
    public var level: Int32
    public var width: Int32
    public var height: Int32
    public var sampleAspectRatio: Rational
    public var fieldOrder: UInt32
    public var colorRange: UInt32
    public var colorPrimaries: UInt32
    public var colorTransfer: UInt32
    public var colorSpace: UInt32
    public var chromaLocation: UInt32
    public var videoDelay: Int32
    public var sampleRate: Int32
    public var channels: Int32
    public var frameSize: Int32
    public var initialPadding: Int32
    /// HDR10 static metadata: not part of `AVCodecParameters` in FFmpeg 5.1 (stream side data
    /// there), carried here so agents encode it and the stitcher writes it (`HDRMetadata`).
    public var hdr: HDRMetadata?

    public init(_ p: UnsafePointer<AVCodecParameters>) {
        let c = p.pointee
        mediaType = c.codec_type.rawValue
        codecID = c.codec_id.rawValue
        codecTag = c.codec_tag
        if let data = c.extradata, c.extradata_size > 0 {
            extradata = Data(bytes: data, count: Int(c.extradata_size))
        } else {
            extradata = Data()
        }
        format = c.format
        bitRate = c.bit_rate
        bitsPerCodedSample = c.bits_per_coded_sample
        bitsPerRawSample = c.bits_per_raw_sample
        profile = c.profile
        level = c.level
        width = c.width
        height = c.height
        sampleAspectRatio = Rational(c.sample_aspect_ratio)
        fieldOrder = c.field_order.rawValue
        colorRange = c.color_range.rawValue
        colorPrimaries = c.color_primaries.rawValue
        colorTransfer = c.color_trc.rawValue
        colorSpace = c.color_space.rawValue
        chromaLocation = c.chroma_location.rawValue
        videoDelay = c.video_delay
        sampleRate = c.sample_rate
        channels = c.ch_layout.nb_channels
        frameSize = c.frame_size
        initialPadding = c.initial_padding
    }

    /// Writes these parameters into a libav-owned `AVCodecParameters` (video fields only are
    /// meaningful for the streams that travel between coordinator and agents).
    func apply(to p: UnsafeMutablePointer<AVCodecParameters>) throws(MediaError) {
        p.pointee.codec_type = AVMediaType(rawValue: mediaType)
        p.pointee.codec_id = AVCodecID(rawValue: codecID)
        p.pointee.codec_tag = codecTag
        av_freep(&p.pointee.extradata)
        p.pointee.extradata_size = 0
        if !extradata.isEmpty {
            let size = extradata.count
            guard let buffer = av_mallocz(size + Int(AV_INPUT_BUFFER_PADDING_SIZE)) else {
                throw MediaError(.invalidPayload, "out of memory for codec extradata")
            }
            let bytes = buffer.assumingMemoryBound(to: UInt8.self)
            extradata.copyBytes(to: bytes, count: size)
            p.pointee.extradata = bytes
            p.pointee.extradata_size = Int32(size)
        }
        p.pointee.format = format
        p.pointee.bit_rate = bitRate
        p.pointee.bits_per_coded_sample = bitsPerCodedSample
        p.pointee.bits_per_raw_sample = bitsPerRawSample
        p.pointee.profile = profile
        p.pointee.level = level
        p.pointee.width = width
        p.pointee.height = height
        p.pointee.sample_aspect_ratio = sampleAspectRatio.av
        p.pointee.field_order = AVFieldOrder(rawValue: fieldOrder)
        p.pointee.color_range = AVColorRange(rawValue: colorRange)
        p.pointee.color_primaries = AVColorPrimaries(rawValue: colorPrimaries)
        p.pointee.color_trc = AVColorTransferCharacteristic(rawValue: colorTransfer)
        p.pointee.color_space = AVColorSpace(rawValue: colorSpace)
        p.pointee.chroma_location = AVChromaLocation(rawValue: chromaLocation)
        p.pointee.video_delay = videoDelay
        p.pointee.sample_rate = sampleRate
        p.pointee.frame_size = frameSize
        p.pointee.initial_padding = initialPadding
    }

    /// VP9 has no alpha plane: libvpx encodes transparency as a second VP9 frame that Matroska
    /// and WebM carry beside each frame (a BlockAdditional; the track says `AlphaMode`). Such a
    /// stream is VP9 in `yuva420p` here (FFmpeg's own VP9 decoder, the ffmpeg CLI's default,
    /// reads it as opaque `yuv420p`): only libvpx's decoder reads its alpha, and only Matroska
    /// and WebM can keep it.
    public var vp9AlphaBeside: Bool {
        codecID == AV_CODEC_ID_VP9.rawValue && format == AV_PIX_FMT_YUVA420P.rawValue
    }

    public var codecName: String { String(cString: avcodec_get_name(AVCodecID(rawValue: codecID))) }
    public var pixelFormatName: String? {
        guard mediaType == AVMEDIA_TYPE_VIDEO.rawValue, let name = av_get_pix_fmt_name(AVPixelFormat(rawValue: format)) else { return nil }
        return String(cString: name)
    }
}
