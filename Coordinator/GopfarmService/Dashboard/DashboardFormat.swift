import Foundation

/// How the dashboard writes durations, sizes, moments and estimates: short, for people.
enum DashboardFormat {
    /// `42 s`, `3 min 05 s`, `2 h 07 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        let s = Int(seconds.rounded())
        if s < 60 { return seconds < 10 ? String(format: "%.1f s", seconds) : "\(s) s" }
        if s < 3600 { return String(format: "%d min %02d s", s / 60, s % 60) }
        return String(format: "%d h %02d min", s / 3600, (s % 3600) / 60)
    }

    /// `64 GiB` (binary units, as `--max-upload 64G` means).
    static func binaryBytes(_ n: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n), i = 0
        while v >= 1024, i < units.count - 1 { v /= 1024; i += 1 }
        return v == v.rounded() ? "\(Int(v)) \(units[i])" : String(format: "%.1f %@", v, units[i])
    }

    /// `just now`, `5 min ago`, `3 h ago`, then the date.
    static func ago(_ date: Date, now: Date = Date()) -> String {
        let s = now.timeIntervalSince(date)
        if s < 10 { return "just now" }
        if s < 60 { return "\(Int(s)) s ago" }
        if s < 3600 { return "\(Int(s / 60)) min ago" }
        if s < 86400 { return "\(Int(s / 3600)) h ago" }
        return iso(date)
    }

    /// `2026-12-04 11:35:02 UTC` (gmtime: a list of 50 rows formats 50 dates, no formatter objects).
    static func iso(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d UTC", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    /// Time left at the rate so far: nil before any progress or once final.
    static func eta(started: Date?, fraction: Double, now: Date = Date()) -> Double? {
        guard let started, fraction > 0.001, fraction < 1 else { return nil }
        let elapsed = now.timeIntervalSince(started)
        guard elapsed > 0 else { return nil }
        return elapsed * (1 - fraction) / fraction
    }

    /// `1,000`.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
