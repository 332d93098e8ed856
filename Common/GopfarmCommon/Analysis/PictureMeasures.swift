/// What one picture looks like, measured on its small analysis plane.
public struct PictureMeasures: Sendable, Equatable {
    public var signature: FrameSignature
    public var lumaMean: Float
    public var lumaMin: UInt8
    public var lumaMax: UInt8
    public var blackRatio: Float
    public var colourfulness: Float
    public var sharpness: Float

    /// Measures a packed RGB24 picture. HSV uses OpenCV's 8-bit scales and rounding (H 0–179),
    /// as PySceneDetect does; luma is BT.601 from RGB (full range, so black is near 0).
    public init(rgb: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int, blackPixelThreshold: Double) {
        let n = width * height
        var hsv = [UInt8](repeating: 0, count: 3 * n)
        var luma = [UInt8](repeating: 0, count: n)
        let blackLevel = Int(blackPixelThreshold * 255)
        var lumaSum = 0, black = 0, lo = 255, hi = 0
        var rgSum = 0.0, ybSum = 0.0, rgSq = 0.0, ybSq = 0.0
        hsv.withUnsafeMutableBufferPointer { hsv in
            luma.withUnsafeMutableBufferPointer { luma in
                for y in 0..<height {
                    let row = rgb + y * stride
                    for x in 0..<width {
                        let r = Int(row[3 * x]), g = Int(row[3 * x + 1]), b = Int(row[3 * x + 2])
                        let i = y * width + x
                        let (h, s, v) = Self.hsv(r: r, g: g, b: b)
                        hsv[i] = h
                        hsv[n + i] = s
                        hsv[2 * n + i] = v
                        let l = (r * 299 + g * 587 + b * 114 + 500) / 1000
                        luma[i] = UInt8(l)
                        lumaSum += l
                        if l <= blackLevel { black += 1 }
                        lo = min(lo, l)
                        hi = max(hi, l)
                        let rg = Double(r - g), yb = Double(r + g) / 2 - Double(b)
                        rgSum += rg
                        ybSum += yb
                        rgSq += rg * rg
                        ybSq += yb * yb
                    }
                }
            }
        }
        let count = Double(max(1, n))
        let rgMean = rgSum / count, ybMean = ybSum / count
        let spread = (max(0, rgSq / count - rgMean * rgMean) + max(0, ybSq / count - ybMean * ybMean)).squareRoot()
        signature = FrameSignature(width: width, height: height, hsv: hsv, luma: luma)
        lumaMean = Float(Double(lumaSum) / count)
        lumaMin = UInt8(n > 0 ? lo : 0)
        lumaMax = UInt8(hi)
        blackRatio = Float(Double(black) / count)
        colourfulness = Float(spread + 0.3 * (rgMean * rgMean + ybMean * ybMean).squareRoot())
        sharpness = Self.laplacianVariance(luma, width: width, height: height)
    }

    /// OpenCV's `COLOR_RGB2HSV` for 8-bit pixels, with its fixed-point division tables.
    @inline(__always)
    static func hsv(r: Int, g: Int, b: Int) -> (UInt8, UInt8, UInt8) {
        let v = max(r, g, b), diff = v - min(r, g, b)
        let s = (diff * saturationDivisors[v] + (1 << 11)) >> 12
        guard diff > 0 else { return (0, UInt8(s), UInt8(v)) }
        let h6: Int = v == r ? g - b : (v == g ? b - r + 2 * diff : r - g + 4 * diff)
        var h = (h6 * hueDivisors[diff] + (1 << 11)) >> 12
        if h < 0 { h += 180 }
        return (UInt8(min(h, 179)), UInt8(s), UInt8(v))
    }

    /// round((255 << 12) / i) and round((180 << 12) / (6 i)), as OpenCV tabulates them.
    static let saturationDivisors: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(255 << 12) / Double($0)).rounded()) }
    static let hueDivisors: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(180 << 12) / (6 * Double($0))).rounded()) }

    /// Variance of the 4-neighbour Laplacian over the inner pixels: higher is sharper.
    static func laplacianVariance(_ luma: [UInt8], width: Int, height: Int) -> Float {
        guard width > 2, height > 2 else { return 0 }
        var sum = 0.0, sq = 0.0
        luma.withUnsafeBufferPointer { p in
            for y in 1..<(height - 1) {
                for x in 1..<(width - 1) {
                    let i = y * width + x
                    let l = 4 * Int(p[i]) - Int(p[i - 1]) - Int(p[i + 1]) - Int(p[i - width]) - Int(p[i + width])
                    sum += Double(l)
                    sq += Double(l * l)
                }
            }
        }
        let n = Double((width - 2) * (height - 2))
        return Float(max(0, sq / n - (sum / n) * (sum / n)))
    }
}
