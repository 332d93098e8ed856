import CFFmpeg

/// A time base or frame rate, as libav's `AVRational`, but Codable and Hashable.
public struct Rational: Hashable, Codable, Sendable, CustomStringConvertible {
    public var num: Int32
    public var den: Int32

    public init(_ num: Int32, _ den: Int32) {
        self.num = num
        self.den = den
    }

    public init(_ r: AVRational) { self.init(r.num, r.den) }

    /// num/den in lowest terms that fit 32 bits (libav's `av_reduce`, nearest where they do not).
    public init(reducing num: Int64, _ den: Int64) {
        var n: Int32 = 0, d: Int32 = 0
        av_reduce(&n, &d, num, den, Int64(Int32.max))
        self.init(n, d)
    }

    public var av: AVRational { AVRational(num: num, den: den) }
    public var isValid: Bool { num > 0 && den > 0 }
    public var doubleValue: Double { den == 0 ? 0 : Double(num) / Double(den) }
    public var description: String { "\(num)/\(den)" }
}

/// A timestamp that never travels without its time base.
public struct MediaTime: Hashable, Codable, Sendable, CustomStringConvertible {
    public var value: Int64
    public var timeBase: Rational

    public init(_ value: Int64, _ timeBase: Rational) {
        self.value = value
        self.timeBase = timeBase
    }

    public var seconds: Double { Double(value) * timeBase.doubleValue }

    /// Rescales to `target`, rounding to nearest (libav's `av_rescale_q`).
    public func rescaled(to target: Rational) -> MediaTime {
        MediaTime(av_rescale_q(value, timeBase.av, target.av), target)
    }

    public var description: String { "\(value)@\(timeBase)" }
}

public let noPTS: Int64 = gf_AV_NOPTS_VALUE()
