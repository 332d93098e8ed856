import CFFmpeg

/// The planes of a planar YUV or grey pixel format, for comparing pictures sample by sample.
public struct PlaneLayout: Equatable, Sendable {
    /// (width, height) of each plane for a picture of the given size.
    public var planeSizes: [(Int, Int)]
    public var bytesPerSample: Int
    public var depth: Int

    public static func == (a: PlaneLayout, b: PlaneLayout) -> Bool {
        a.bytesPerSample == b.bytesPerSample && a.depth == b.depth
            && a.planeSizes.map { [$0.0, $0.1] } == b.planeSizes.map { [$0.0, $0.1] }
    }

    /// nil for packed, RGB, paletted, big-endian or alpha formats (not compared).
    public init?(format: Int32, width: Int, height: Int) {
        guard let d = av_pix_fmt_desc_get(AVPixelFormat(rawValue: format)) else { return nil }
        let flags = d.pointee.flags
        let components = Int(d.pointee.nb_components)
        guard components == 1 || components == 3,
              flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0, flags & UInt64(AV_PIX_FMT_FLAG_PAL) == 0,
              flags & UInt64(AV_PIX_FMT_FLAG_BE) == 0, flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) == 0,
              components == 1 || flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0
        else { return nil }
        let depth = Int(d.pointee.comp.0.depth)
        bytesPerSample = depth > 8 ? 2 : 1
        self.depth = depth
        let cw = -((-width) >> Int(d.pointee.log2_chroma_w)), ch = -((-height) >> Int(d.pointee.log2_chroma_h))
        planeSizes = components == 1 ? [(width, height)] : [(width, height), (cw, ch), (cw, ch)]
    }

    public var peak: Double { Double((1 << depth) - 1) }

    /// Each plane's share of all samples (FFmpeg's psnr filter weights "all" by these).
    public var weights: [Double] {
        let total = Double(planeSizes.reduce(0) { $0 + $1.0 * $1.1 })
        return planeSizes.map { Double($0.0 * $0.1) / total }
    }
}
