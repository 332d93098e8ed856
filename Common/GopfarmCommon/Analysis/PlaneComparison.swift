/// Error measures between two planes of the same size: squared error for PSNR and SSIM as
/// FFmpeg's ssim filter computes it (x264's 8×8 windows on a 4-pixel grid).
public enum PlaneComparison {
    /// Sum of squared sample differences; `bytesPerSample` 1 or 2 (little-endian, high depth).
    public static func sumOfSquaredErrors(_ a: UnsafePointer<UInt8>, _ strideA: Int, _ b: UnsafePointer<UInt8>, _ strideB: Int,
                                          width: Int, height: Int, bytesPerSample: Int) -> UInt64 {
        var total: UInt64 = 0
        for y in 0..<height {
            var row: UInt64 = 0
            if bytesPerSample == 1 {
                let ra = a + y * strideA, rb = b + y * strideB
                // 16 samples at a time (a lane sums at most width/16 squares of 255: no overflow).
                var lanes = SIMD16<Int32>()
                var x = 0
                while x + 16 <= width {
                    let p = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(ra + x).loadUnaligned(as: SIMD16<UInt8>.self))
                    let q = SIMD16<Int32>(truncatingIfNeeded: UnsafeRawPointer(rb + x).loadUnaligned(as: SIMD16<UInt8>.self))
                    let d = p &- q
                    lanes &+= d &* d
                    x += 16
                }
                row = UInt64(lanes.wrappedSum())
                while x < width {
                    let d = Int32(ra[x]) - Int32(rb[x])
                    row &+= UInt64(d * d)
                    x += 1
                }
            } else {
                let ra = UnsafeRawPointer(a + y * strideA).assumingMemoryBound(to: UInt16.self)
                let rb = UnsafeRawPointer(b + y * strideB).assumingMemoryBound(to: UInt16.self)
                for x in 0..<width {
                    let d = Int64(UInt16(littleEndian: ra[x])) - Int64(UInt16(littleEndian: rb[x]))
                    row &+= UInt64(d * d)
                }
            }
            total &+= row
        }
        return total
    }

    /// Mean SSIM of two 8-bit planes (nil when smaller than 8×8).
    public static func ssim(_ a: UnsafePointer<UInt8>, _ strideA: Int, _ b: UnsafePointer<UInt8>, _ strideB: Int,
                            width: Int, height: Int) -> Double? {
        let bw = width >> 2, bh = height >> 2
        guard bw >= 2, bh >= 2 else { return nil }
        // Block sums (s1, s2, ss, s12) of 4×4 blocks, two block rows at a time.
        var previous = [SIMD4<Int32>](repeating: .zero, count: bw)
        var current = [SIMD4<Int32>](repeating: .zero, count: bw)
        func sums(row by: Int, into out: inout [SIMD4<Int32>]) {
            for bx in 0..<bw {
                var s = SIMD4<Int32>.zero
                for dy in 0..<4 {
                    let ra = a + (by * 4 + dy) * strideA + bx * 4, rb = b + (by * 4 + dy) * strideB + bx * 4
                    for dx in 0..<4 {
                        let p = Int32(ra[dx]), q = Int32(rb[dx])
                        s &+= SIMD4(p, q, p * p + q * q, p * q)
                    }
                }
                out[bx] = s
            }
        }
        sums(row: 0, into: &previous)
        var total = 0.0
        for by in 1..<bh {
            sums(row: by, into: &current)
            for bx in 0..<(bw - 1) {
                let w = previous[bx] &+ previous[bx + 1] &+ current[bx] &+ current[bx + 1]
                total += windowSSIM(w)
            }
            swap(&previous, &current)
        }
        return total / Double((bw - 1) * (bh - 1))
    }

    /// SSIM of one 8×8 window from its sums (s1, s2, Σa²+b², Σab).
    static func windowSSIM(_ s: SIMD4<Int32>) -> Double {
        let c1 = 0.01 * 0.01 * 255 * 255 * 64, c2 = 0.03 * 0.03 * 255 * 255 * 64 * 63
        let s1 = Double(s[0]), s2 = Double(s[1]), ss = Double(s[2]), s12 = Double(s[3])
        let variance = ss * 64 - s1 * s1 - s2 * s2
        let covariance = s12 * 64 - s1 * s2
        return (2 * s1 * s2 + c1) * (2 * covariance + c2) / ((s1 * s1 + s2 * s2 + c1) * (variance + c2))
    }
}
