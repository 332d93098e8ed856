import CFFmpeg

/// The planes of a planar YUV or grey pixel format, for comparing pictures sample by sample:
/// one plane per component (not NV12's interleaved chroma: `planarEquivalent` names the format to
/// convert such pictures to first). Of a YUVA format, the three colour planes: the picture is
/// compared, its alpha plane (plane 3) is not.
public struct PlaneLayout: Equatable, Sendable {
    /// (width, height) of each plane for a picture of the given size.
    public var planeSizes: [(Int, Int)]
    public var bytesPerSample: Int
    public var depth: Int

    public static func == (a: PlaneLayout, b: PlaneLayout) -> Bool {
        a.bytesPerSample == b.bytesPerSample && a.depth == b.depth
            && a.planeSizes.map { [$0.0, $0.1] } == b.planeSizes.map { [$0.0, $0.1] }
    }

    /// nil for packed, semi-planar (NV12), RGB, paletted or big-endian formats (not compared).
    public init?(format: Int32, width: Int, height: Int) {
        guard let d = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)), Self.separatePlanes(d) else { return nil }
        let components = d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0 ? Int(d.pointee.nb_components) - 1 : Int(d.pointee.nb_components)
        let depth = Int(d.pointee.comp.0.depth)
        bytesPerSample = depth > 8 ? 2 : 1
        self.depth = depth
        let cw = -((-width) >> Int(d.pointee.log2_chroma_w)), ch = -((-height) >> Int(d.pointee.log2_chroma_h))
        planeSizes = components == 1 ? [(width, height)] : [(width, height), (cw, ch), (cw, ch)]
    }

    /// Grey, or three colour components each in a plane of its own (and alpha in a fourth),
    /// little-endian, not RGB.
    private static func separatePlanes(_ d: UnsafePointer<AVPixFmtDescriptor>) -> Bool {
        let flags = d.pointee.flags
        let alpha = flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
        let components = Int(d.pointee.nb_components) - (alpha ? 1 : 0)
        guard components == 1 || components == 3,
              flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0, flags & UInt64(AV_PIX_FMT_FLAG_PAL) == 0,
              flags & UInt64(AV_PIX_FMT_FLAG_BE) == 0
        else { return false }
        let c = d.pointee.comp
        if components == 1 { return !alpha }  // ya8/ya16 interleave their alpha
        return flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0 && c.0.plane == 0 && c.1.plane == 1 && c.2.plane == 2
            && (!alpha || c.3.plane == 3)
    }

    /// The format to compare pictures of `format` in: itself where it has a `PlaneLayout`; for a
    /// semi-planar YUV format (NV12, NV21, P010 …) the planar one with the same chroma
    /// subsampling and depth (YUV420P, YUV420P10LE …), which libswscale converts to exactly;
    /// nil for the rest.
    public static func planarEquivalent(of format: Int32) -> Int32? {
        guard let d = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)) else { return nil }
        if separatePlanes(d) { return format }
        let flags = d.pointee.flags
        guard d.pointee.nb_components == 3, flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0,
              flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0, flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) == 0 else { return nil }
        var candidate: UnsafePointer<AVPixFmtDescriptor>? = av_pix_fmt_desc_next(nil)
        while let c = candidate {
            if separatePlanes(c), c.pointee.nb_components == 3, c.pointee.log2_chroma_w == d.pointee.log2_chroma_w,
               c.pointee.log2_chroma_h == d.pointee.log2_chroma_h, c.pointee.comp.0.depth == d.pointee.comp.0.depth {
                return av_pix_fmt_desc_get_id(c).rawValue
            }
            candidate = av_pix_fmt_desc_next(c)
        }
        return nil
    }

    public var peak: Double { Double((1 << depth) - 1) }

    /// Each plane's share of all samples (FFmpeg's psnr filter weights "all" by these).
    public var weights: [Double] {
        let total = Double(planeSizes.reduce(0) { $0 + $1.0 * $1.1 })
        return planeSizes.map { Double($0.0 * $0.1) / total }
    }
}
