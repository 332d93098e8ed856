/// One measured encode of the probe sample: a resolution and a CRF, the rate it took and the
/// quality it gave, measured on the display-size upscale so every resolution is judged by what
/// a viewer sees.
public struct ProbePoint: Codable, Sendable, Equatable, Hashable {
    public var width: Int
    public var height: Int
    public var crf: Double
    /// Bits per second over the probe sample.
    public var bitrate: Double
    /// PSNR (dB) of the encode upscaled to the display size, against the source.
    public var psnr: Double
    public var ssim: Double?

    public init(width: Int, height: Int, crf: Double, bitrate: Double, psnr: Double, ssim: Double? = nil) {
        self.width = width
        self.height = height
        self.crf = crf
        self.bitrate = bitrate
        self.psnr = psnr
        self.ssim = ssim
    }

    /// A point the hull can use: a positive, finite rate and a finite PSNR (a lossless encode's
    /// infinite PSNR has no place on a rate-quality curve).
    var isUsable: Bool { bitrate > 0 && bitrate.isFinite && psnr.isFinite }
}
