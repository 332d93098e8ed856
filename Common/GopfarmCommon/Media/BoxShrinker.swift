import CFFmpeg

/// The first stage of the analysis scale: averages k×k blocks of an 8-bit planar YUV picture
/// into a picture k times smaller, same format, so libswscale's area filter, which reads every
/// source pixel through its filter taps, only has a small picture left to scale and convert
/// (a 720p frame: 0.5 ms in libswscale alone, under half of that this way). Rows are summed
/// whole (the loop the compiler vectorizes), then each row's sums are cut into blocks.
public final class BoxShrinker {
    /// The planar 8-bit YUV formats it averages (their planes' sizes from `PlaneLayout`).
    private static let formats: Set<Int32> = [
        AV_PIX_FMT_YUV420P.rawValue, AV_PIX_FMT_YUVJ420P.rawValue, AV_PIX_FMT_YUV422P.rawValue,
        AV_PIX_FMT_YUVJ422P.rawValue, AV_PIX_FMT_YUV444P.rawValue, AV_PIX_FMT_YUVJ444P.rawValue,
    ]

    public let factor: Int
    public let width: Int
    public let height: Int
    private let format: Int32
    /// Each plane's (source, averaged) sizes.
    private let planes: [((Int, Int), (Int, Int))]
    private var sums: [UInt16] = []

    /// A shrinker for pictures of `width`×`height` in `format` that end up `targetWidth` wide;
    /// nil where this stage would not help (less than halving) or cannot (another format).
    public init?(width: Int, height: Int, format: Int32, targetWidth: Int) {
        guard Self.formats.contains(format), targetWidth > 0 else { return nil }
        let factor = min(64, width / targetWidth)
        guard factor >= 2, width / factor >= 2, height / factor >= 2 else { return nil }
        self.factor = factor
        self.width = width / factor
        self.height = height / factor
        self.format = format
        guard let from = PlaneLayout(format: format, width: width, height: height),
              let to = PlaneLayout(format: format, width: self.width, height: self.height) else { return nil }
        planes = Array(zip(from.planeSizes, to.planeSizes))
    }

    /// Fills `output` with the averaged picture (frame properties copied, colour range included);
    /// `input` has the size and format the shrinker was made for.
    public func shrink(_ input: Frame, into output: Frame) throws(MediaError) {
        try output.allocate(width: width, height: height, format: AVPixelFormat(rawValue: format))
        try avCheck(av_frame_copy_props(output.pointer, input.pointer), .scaleFailed, "cannot copy frame properties")
        for (plane, ((inWidth, inHeight), (outWidth, outHeight))) in planes.enumerated() {
            input.withPlaneBytes(plane) { src, srcStride in
                output.withPlane(plane) { dst, dstStride in
                    shrinkPlane(src, srcStride, inWidth, inHeight, into: dst, dstStride, outWidth, outHeight)
                }
            }
        }
    }

    /// Output sample (x, y) is the mean of source rows [y·k, (y+1)·k) and columns [x·k, (x+1)·k),
    /// clipped to the plane (a subsampled plane's last block may be short).
    private func shrinkPlane(_ src: UnsafePointer<UInt8>, _ srcStride: Int, _ inWidth: Int, _ inHeight: Int,
                             into dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ outWidth: Int, _ outHeight: Int) {
        let k = factor
        if sums.count < inWidth { sums = [UInt16](repeating: 0, count: inWidth) }
        sums.withUnsafeMutableBufferPointer { sums in
            let acc = sums.baseAddress!
            for y in 0..<outHeight {
                let top = min(y * k, inHeight - 1), bottom = min(top + k, inHeight)
                // Column sums of the block's rows in 16 bits (they hold 257 rows of 8-bit samples;
                // k ≤ 64): twice as many to a vector register as 32-bit sums.
                let first = src + top * srcStride
                for x in 0..<inWidth { acc[x] = UInt16(first[x]) }
                for row in (top + 1)..<bottom {
                    let line = src + row * srcStride
                    for x in 0..<inWidth { acc[x] &+= UInt16(line[x]) }
                }
                let out = dst + y * dstStride
                // Whole blocks: a fixed divisor, as a multiply by its rounded-up 2^32 reciprocal
                // (exact for these sums: every dividend is under 2^32 / divisor while k ≤ 64).
                let whole = min(outWidth, inWidth / k)
                let divisor = UInt64(k * (bottom - top)), reciprocal = ((1 << 32) + divisor - 1) / divisor
                var block = UnsafePointer(acc)
                for x in 0..<whole {
                    var total: UInt32 = 0
                    for j in 0..<k { total &+= UInt32(block[j]) }
                    block += k
                    out[x] = UInt8(truncatingIfNeeded: ((UInt64(total) &+ divisor / 2) &* reciprocal) >> 32)
                }
                // A subsampled plane's last block may be short.
                for x in whole..<outWidth {
                    let left = min(x * k, inWidth - 1), right = min(left + k, inWidth)
                    var total: UInt32 = 0
                    for i in left..<right { total &+= UInt32(acc[i]) }
                    let count = UInt32((right - left) * (bottom - top))
                    out[x] = UInt8(truncatingIfNeeded: (total + count / 2) / count)
                }
            }
        }
    }
}
