import Foundation

/// How close a segment's encoded frames are to their sources, measured on the agent by decoding
/// its own output. PSNR follows FFmpeg's psnr filter: per plane from the mean squared error over
/// all frames, and "all" from the plane errors weighted by plane size.
public struct SegmentQuality: Codable, Sendable, Equatable {
    public var frames: Int
    /// Mean squared error per plane (Y, U, V) over the segment, in sample units.
    public var mse: [Double]
    /// Plane sizes relative to the whole picture (Y, U, V), for the weighted "all".
    public var planeWeights: [Double]
    /// Largest sample value (255 for 8-bit).
    public var peak: Double
    /// Mean SSIM of the luma plane over the frames it was computed on.
    public var ssimY: Double?
    public var ssimFrames: Int

    public init(frames: Int, mse: [Double], planeWeights: [Double], peak: Double, ssimY: Double?, ssimFrames: Int) {
        self.frames = frames
        self.mse = mse
        self.planeWeights = planeWeights
        self.peak = peak
        self.ssimY = ssimY
        self.ssimFrames = ssimFrames
    }

    public static func psnr(mse: Double, peak: Double) -> Double {
        mse <= 0 ? .infinity : 10 * log10(peak * peak / mse)
    }

    public var psnrY: Double { Self.psnr(mse: mse[0], peak: peak) }
    public var psnrU: Double? { mse.count > 1 ? Self.psnr(mse: mse[1], peak: peak) : nil }
    public var psnrV: Double? { mse.count > 2 ? Self.psnr(mse: mse[2], peak: peak) : nil }
    public var psnrAll: Double { Self.psnr(mse: zip(mse, planeWeights).map { $0 * $1 }.reduce(0, +), peak: peak) }
}
