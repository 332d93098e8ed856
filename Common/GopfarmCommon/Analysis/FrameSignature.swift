import Foundation

/// A frame reduced to what comparing it with a neighbour needs: its small HSV and luma planes.
/// Agents return the signatures of a segment's first and last frame, so the coordinator scores
/// the boundary between two segments exactly as one pass over the file would.
public struct FrameSignature: Codable, Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Hue (0–179), saturation and value planes, one after the other, `width*height` bytes each
    /// (`Data`: base64 in JSON, not an array of numbers).
    public var hsv: Data
    /// Luma plane, full range 0–255, `width*height` bytes.
    public var luma: Data

    public init(width: Int, height: Int, hsv: [UInt8], luma: [UInt8]) {
        self.width = width
        self.height = height
        self.hsv = Data(hsv)
        self.luma = Data(luma)
    }

    public var isWellFormed: Bool {
        width > 0 && height > 0 && hsv.count == 3 * width * height && luma.count == width * height
    }

    /// (content score, motion) of `self` following `previous`; nil when the sizes differ.
    public func change(from previous: FrameSignature) -> (score: Float, motion: Float)? {
        guard previous.width == width, previous.height == height, isWellFormed, previous.isWellFormed else { return nil }
        let n = width * height
        let hsvSum = Self.sumOfAbsoluteDifferences(hsv, previous.hsv)
        let lumaSum = Self.sumOfAbsoluteDifferences(luma, previous.luma)
        return (Float(Double(hsvSum) / Double(3 * n)), Float(Double(lumaSum) / Double(n)))
    }

    static func sumOfAbsoluteDifferences(_ a: Data, _ b: Data) -> Int {
        a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                let count = min(pa.count, pb.count)
                guard count > 0 else { return 0 }
                let x = pa.bindMemory(to: UInt8.self).baseAddress!, y = pb.bindMemory(to: UInt8.self).baseAddress!
                var total = 0
                for i in 0..<count {
                    let p = x[i], q = y[i]
                    total &+= Int(p > q ? p &- q : q &- p)
                }
                return total
            }
        }
    }
}
