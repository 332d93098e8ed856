import CFFmpeg

/// Picks the pixel format an encoder gets: the user's, else the source's when the encoder
/// takes it, else its full-range twin, else the encoder's first choice.
public enum PixelFormatChoice {
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
        // Prefer a format with the same bit depth and chroma layout as the source.
        if let desc = av_pix_fmt_desc_get(source) {
            let depth = desc.pointee.comp.0.depth
            if let same = supported.first(where: { f in
                guard let d = av_pix_fmt_desc_get(f) else { return false }
                return d.pointee.comp.0.depth == depth && d.pointee.log2_chroma_w == desc.pointee.log2_chroma_w
                    && d.pointee.log2_chroma_h == desc.pointee.log2_chroma_h && d.pointee.nb_components == desc.pointee.nb_components
            }) { return same }
        }
        return supported[0]
    }
}
