/// Per-frame measures of one segment (or, merged, of a whole job), column by column so a
/// long series stays compact in JSON. Index i is the i-th frame shown, in presentation order.
///
/// `score` and `motion` compare a frame with the one before it; a segment's first frame has no
/// predecessor on its agent, so its values are `nil` until the coordinator fills them from the
/// neighbour's boundary signature (`FrameSignature`).
public struct FrameSeries: Codable, Sendable, Equatable {
    /// Presentation time in the source stream's time base.
    public var pts: [Int64] = []
    /// Content change against the previous frame: mean of |ΔH|, |ΔS|, |ΔV| (OpenCV scales), 0–255.
    public var score: [Float?] = []
    /// Mean absolute luma difference against the previous frame, 0–255.
    public var motion: [Float?] = []
    public var lumaMean: [Float] = []
    public var lumaMin: [UInt8] = []
    public var lumaMax: [UInt8] = []
    /// Fraction of pixels at or below the black pixel threshold.
    public var blackRatio: [Float] = []
    /// Hasler–Süsstrunk colourfulness.
    public var colourfulness: [Float] = []
    /// Variance of the Laplacian of the luma plane.
    public var sharpness: [Float] = []

    public init() {}

    public var count: Int { pts.count }

    public mutating func append(contentsOf other: FrameSeries) {
        pts += other.pts
        score += other.score
        motion += other.motion
        lumaMean += other.lumaMean
        lumaMin += other.lumaMin
        lumaMax += other.lumaMax
        blackRatio += other.blackRatio
        colourfulness += other.colourfulness
        sharpness += other.sharpness
    }

    /// True when every column has one value per frame (a check on what an agent sent).
    public var isConsistent: Bool {
        let n = pts.count
        return [score.count, motion.count, lumaMean.count, lumaMin.count, lumaMax.count,
                blackRatio.count, colourfulness.count, sharpness.count].allSatisfy { $0 == n }
    }
}
