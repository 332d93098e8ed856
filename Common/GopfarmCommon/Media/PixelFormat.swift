import CFFmpeg

/// Picks the pixel format an encoder gets: the user's, else the source's when the encoder
/// takes it, else its full-range twin, else the encoder's first choice.
public enum PixelFormatChoice {
    /// Whether pictures of this format have colour (chroma or RGB) planes, not luma alone (gray).
    public static func hasColour(_ format: AVPixelFormat) -> Bool {
        guard let desc = av_pix_fmt_desc_get(format) else { return false }
        return desc.pointee.nb_components >= 3
    }

    public static func named(_ name: String) throws(MediaError) -> AVPixelFormat {
        let f = av_get_pix_fmt(name)
        if f == AV_PIX_FMT_NONE { throw MediaError(.invalidOption, "unknown pixel format '\(name)'") }
        return f
    }

    public static func name(_ format: AVPixelFormat) -> String {
        av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "unknown"
    }

    /// The limited-range twin of a deprecated full-range `yuvj*` format (same pixel bytes).
    public static func unJ(_ f: AVPixelFormat) -> AVPixelFormat {
        switch f {
        case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P
        case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P
        case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P
        case AV_PIX_FMT_YUVJ440P: return AV_PIX_FMT_YUV440P
        default: return f
        }
    }

    public static func choose(codec: String, source: AVPixelFormat, requested: String?) throws(MediaError) -> AVPixelFormat {
        let supported = Encoder.supportedPixelFormats(codec: codec)
        if let requested { return try EncodeSettings.checkPixelFormat(requested, codec: codec) }
        guard let supported else { return source }
        if supported.contains(source) { return source }
        if supported.contains(unJ(source)) { return unJ(source) }
        // A format that holds every source sample: the same family (YUV or RGB), chroma layout
        // and planes (alpha kept), at the source's depth or the next above it (ProRes 4444's
        // yuva444p12le into FFV1 is yuva444p16le, as the ffmpeg CLI picks; gbrap12le, of the
        // same depth, would convert the colours and lose the lossless promise).
        if let desc = av_pix_fmt_desc_get(source) {
            let rgb = desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
            let depth = desc.pointee.comp.0.depth
            let holding = supported.compactMap { f -> (AVPixelFormat, Int32, UInt8)? in
                guard let d = av_pix_fmt_desc_get(f) else { return nil }
                guard (d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0) == rgb,
                      d.pointee.log2_chroma_w == desc.pointee.log2_chroma_w, d.pointee.log2_chroma_h == desc.pointee.log2_chroma_h,
                      d.pointee.nb_components == desc.pointee.nb_components, d.pointee.comp.0.depth >= depth else { return nil }
                return (f, d.pointee.comp.0.depth, d.pointee.nb_components)
            }
            if let best = holding.min(by: { $0.1 < $1.1 }) { return best.0 }
        }
        // Else libavcodec's own pick, the least loss (what the ffmpeg CLI does).
        var loss: Int32 = 0
        let list = supported + [AV_PIX_FMT_NONE]
        let alpha: Int32 = av_pix_fmt_desc_get(source).map { $0.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0 } == true ? 1 : 0
        let best = list.withUnsafeBufferPointer { avcodec_find_best_pix_fmt_of_list($0.baseAddress, source, alpha, &loss) }
        if best != AV_PIX_FMT_NONE { return best }
        return supported[0]
    }
}
