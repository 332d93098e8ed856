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
    /// One pass over the pixels with integer sums (every sum is exact, so the figures are the same
    /// as summing in floating point): it runs on every frame an agent encodes.
    public init(rgb: UnsafePointer<UInt8>, stride: Int, width: Int, height: Int, blackPixelThreshold: Double) {
        let n = width * height
        var hsv = [UInt8](repeating: 0, count: 3 * n)
        var luma = [UInt8](repeating: 0, count: n)
        let blackLevel = Int(blackPixelThreshold * 255)
        var lumaSum = 0, black = 0, lo = 255, hi = 0
        // Opponent colour sums: rg = r - g and yb2 = r + g - 2b, twice the yellow-blue difference.
        var rgSum = 0, yb2Sum = 0, rgSq = 0, yb2Sq = 0
        Self.saturationDivisors.withUnsafeBufferPointer { saturation in
            Self.hueDivisors.withUnsafeBufferPointer { hue in
                hsv.withUnsafeMutableBufferPointer { hsv in
                    luma.withUnsafeMutableBufferPointer { luma in
                        let hp = hsv.baseAddress!, sp = hp + n, vp = hp + 2 * n, lp = luma.baseAddress!
                        for y in 0..<height {
                            let row = rgb + y * stride, line = y * width
                            for x in 0..<width {
                                let r = Int(row[3 * x]), g = Int(row[3 * x + 1]), b = Int(row[3 * x + 2])
                                let i = line + x
                                let (h, s, v) = Self.hsv(r: r, g: g, b: b, saturation: saturation, hue: hue)
                                hp[i] = h
                                sp[i] = s
                                vp[i] = v
                                let l = (r &* 299 &+ g &* 587 &+ b &* 114 &+ 500) / 1000
                                lp[i] = UInt8(truncatingIfNeeded: l)
                                lumaSum &+= l
                                black &+= l <= blackLevel ? 1 : 0
                                lo = min(lo, l)
                                hi = max(hi, l)
                                let rg = r &- g, yb2 = r &+ g &- 2 &* b
                                rgSum &+= rg
                                yb2Sum &+= yb2
                                rgSq &+= rg &* rg
                                yb2Sq &+= yb2 &* yb2
                            }
                        }
                    }
                }
            }
        }
        let count = Double(max(1, n))
        let rgMean = Double(rgSum) / count, ybMean = Double(yb2Sum) / 2 / count
        let rgMeanSquare = Double(rgSq) / count, ybMeanSquare = Double(yb2Sq) / 4 / count
        let spread = (max(0, rgMeanSquare - rgMean * rgMean) + max(0, ybMeanSquare - ybMean * ybMean)).squareRoot()
        signature = FrameSignature(width: width, height: height, hsv: hsv, luma: luma)
        lumaMean = Float(Double(lumaSum) / count)
        lumaMin = UInt8(n > 0 ? lo : 0)
        lumaMax = UInt8(hi)
        blackRatio = Float(Double(black) / count)
        colourfulness = Float(spread + 0.3 * (rgMean * rgMean + ybMean * ybMean).squareRoot())
        sharpness = Self.laplacianVariance(luma, width: width, height: height)
    }

    /// OpenCV's `COLOR_RGB2HSV` for 8-bit pixels, with its fixed-point division tables.
    static func hsv(r: Int, g: Int, b: Int) -> (UInt8, UInt8, UInt8) {
        saturationDivisors.withUnsafeBufferPointer { saturation in
            hueDivisors.withUnsafeBufferPointer { hsv(r: r, g: g, b: b, saturation: saturation, hue: $0) }
        }
    }

    /// Without branches (a noisy picture's colours make them mispredict): the hue's three cases
    /// are all computed and one kept by masks, and `hue[0] == 0` gives a grey pixel hue 0.
    @inline(__always)
    private static func hsv(r: Int, g: Int, b: Int, saturation: UnsafeBufferPointer<Int>, hue: UnsafeBufferPointer<Int>) -> (UInt8, UInt8, UInt8) {
        let v = max(r, g, b), diff = v - min(r, g, b)
        let s = (diff &* saturation[v] &+ (1 << 11)) >> 12
        // All ones where the maximum is red (green), else zero.
        let isRed = 0 &- Int(truncatingIfNeeded: unsafeBitCast(v == r, to: UInt8.self))
        let isGreen = 0 &- Int(truncatingIfNeeded: unsafeBitCast(v == g, to: UInt8.self))
        let notRed = (b &- r &+ 2 &* diff) & isGreen | (r &- g &+ 4 &* diff) & ~isGreen
        let h6 = (g &- b) & isRed | notRed & ~isRed
        var h = (h6 &* hue[diff] &+ (1 << 11)) >> 12
        h &+= 180 & (h >> 63)  // OpenCV's `if h < 0 { h += 180 }`
        return (UInt8(truncatingIfNeeded: min(h, 179)), UInt8(truncatingIfNeeded: s), UInt8(truncatingIfNeeded: v))
    }

    /// round((255 << 12) / i) and round((180 << 12) / (6 i)), as OpenCV tabulates them.
    static let saturationDivisors: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(255 << 12) / Double($0)).rounded()) }
    static let hueDivisors: [Int] = (0..<256).map { $0 == 0 ? 0 : Int((Double(180 << 12) / (6 * Double($0))).rounded()) }

    /// Variance of the 4-neighbour Laplacian over the inner pixels: higher is sharper.
    static func laplacianVariance(_ luma: [UInt8], width: Int, height: Int) -> Float {
        guard width > 2, height > 2 else { return 0 }
        var sum = 0, sq = 0
        luma.withUnsafeBufferPointer { luma in
            let p = luma.baseAddress!
            for y in 1..<(height - 1) {
                let row = p + y * width
                for x in 1..<(width - 1) {
                    let l = 4 * Int(row[x]) - Int(row[x - 1]) - Int(row[x + 1]) - Int(row[x - width]) - Int(row[x + width])
                    sum += l
                    sq += l * l
                }
            }
        }
        let n = Double((width - 2) * (height - 2))
        return Float(max(0, Double(sq) / n - (Double(sum) / n) * (Double(sum) / n)))
    }
}
