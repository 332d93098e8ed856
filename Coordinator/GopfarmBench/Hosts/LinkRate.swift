import Foundation

/// A link's bandwidth as `tc` counts it (SI: `1mbit` is 1,000,000 bits per second), parsed from
/// what a user types (`1gbit`, `100mbit`, `20mbit`, `5mbit`, `512kbit`).
public struct LinkRate: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var bitsPerSecond: UInt64

    /// The slowest and fastest rates a shaped veth is asked for: below 8 kbit/s a single
    /// full-size packet takes over a second, above 100 gbit/s `tbf` is no longer the limit.
    public static let slowest: UInt64 = 8_000
    public static let fastest: UInt64 = 100_000_000_000

    public init(bitsPerSecond: UInt64) {
        self.bitsPerSecond = bitsPerSecond
    }

    private static let units: [(suffix: String, factor: Double)] = [("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1)]

    public init(parsing text: String) throws(HostLabError) {
        let spec = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = Self.units.first(where: { spec.hasSuffix($0.suffix) }),
              let number = Double(spec.dropLast(unit.suffix.count)), number.isFinite, number > 0 else {
            throw HostLabError(.badLinkRate, "link rate '\(text)' is not understood: give a number and a unit, such as 1gbit, 100mbit, 20mbit or 5mbit")
        }
        let bits = (number * unit.factor).rounded()
        guard bits >= Double(Self.slowest), bits <= Double(Self.fastest) else {
            throw HostLabError(.badLinkRate, "link rate '\(text)' is out of range: links are shaped between 8kbit and 100gbit")
        }
        bitsPerSecond = UInt64(bits)
    }

    /// The shortest exact spelling: `5mbit`, `1gbit`, `2500kbit`.
    public var description: String {
        for unit in Self.units {
            let factor = UInt64(unit.factor)
            if bitsPerSecond % factor == 0 { return "\(bitsPerSecond / factor)\(unit.suffix)" }
        }
        return "\(bitsPerSecond)bit"
    }

    /// The `rate` argument for `tc`.
    var tcRate: String { "\(bitsPerSecond)bit" }

    /// The `burst` of the token bucket: 4 ms at the link's rate, at least 32 KiB so one
    /// segmentation-offload packet fits (a smaller bucket makes `tbf` cut it up or drop it).
    var burstBytes: Int { max(32 * 1024, Int(bitsPerSecond / 8 / 250)) }

    public static func < (a: LinkRate, b: LinkRate) -> Bool { a.bitsPerSecond < b.bitsPerSecond }
}
