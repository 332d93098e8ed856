import Foundation

/// Durations as people type them on the command line: `30d`, `12h`, `90m`, `45s` (a bare number
/// is seconds; fractions are allowed, `1.5h`). Used by `token create --expires` and serve's
/// retention options.
public enum DurationText {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var text: String
        public var description: String { "'\(text.prefix(40))' is not a duration such as 30d, 12h, 90m or 45s" }
    }

    public static func seconds(_ text: String) throws(Invalid) -> Double {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        guard let last = lower.last else { throw Invalid(text: text) }
        let factor = units[last] ?? 1
        let digits = units[last] == nil ? lower : String(lower.dropLast())
        guard let value = Double(digits), value.isFinite, value >= 0 else { throw Invalid(text: text) }
        return value * factor
    }
}
