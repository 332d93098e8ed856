import Foundation

/// How the report writes times, counts and sizes: one place, so every table agrees.
public enum ReportFormat {
    /// `HH:MM:SS.mmm`, the way editors and players show a position.
    public static func timecode(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "—" }
        let ms = Int((abs(seconds) * 1000).rounded())
        let text = String(format: "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
        return seconds < 0 && ms > 0 ? "-" + text : text
    }

    /// A tick label on a time axis: seconds for short spans, `m:ss` or `h:mm:ss` for long ones.
    public static func axisTime(_ seconds: Double, clock: Bool) -> String {
        func whole(_ v: Double) -> Bool { abs(v - v.rounded()) < 1e-6 }
        guard clock else { return number(seconds, digits: whole(seconds) ? 0 : whole(seconds * 10) ? 1 : 2) }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// A measured value with a fixed number of decimals; "—" when there is none, "∞" when exact.
    public static func number(_ value: Double?, digits: Int) -> String {
        guard let value else { return "—" }
        if value.isNaN { return "—" }
        if value.isInfinite { return value > 0 ? "∞" : "-∞" }
        return String(format: "%.\(digits)f", value)
    }

    /// A count with thousands separators: 1,234,567.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Bytes in the largest unit that keeps the number at least 1 (decimal units, as `ls -h --si`).
    public static func bytes(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while abs(value) >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
