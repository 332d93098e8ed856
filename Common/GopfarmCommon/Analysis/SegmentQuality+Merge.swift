extension SegmentQuality {
    /// Several segments' measures as one: mean squared errors weighted by frames (so PSNR is of
    /// the whole, as FFmpeg's psnr filter gives it), SSIM weighted by the frames it was taken on.
    /// nil for no segment or no frame.
    public static func merged(_ parts: [SegmentQuality]) -> SegmentQuality? {
        guard let first = parts.first else { return nil }
        let frames = parts.reduce(0) { $0 + $1.frames }
        guard frames > 0 else { return nil }
        let mse = first.mse.indices.map { i in
            parts.reduce(0.0) { $0 + (i < $1.mse.count ? $1.mse[i] : 0) * Double($1.frames) } / Double(frames)
        }
        let ssimFrames = parts.reduce(0) { $0 + $1.ssimFrames }
        let ssim = ssimFrames > 0 ? parts.reduce(0.0) { $0 + ($1.ssimY ?? 0) * Double($1.ssimFrames) } / Double(ssimFrames) : nil
        return SegmentQuality(frames: frames, mse: mse, planeWeights: first.planeWeights, peak: first.peak, ssimY: ssim, ssimFrames: ssimFrames)
    }
}
