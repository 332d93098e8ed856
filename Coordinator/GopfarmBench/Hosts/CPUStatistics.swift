/// What a host's CPU cap did, from its cgroup's `cpu.stat`: how many CFS periods its processes
/// ran in and in how many the quota ran out (the cap bit).
public struct CPUStatistics: Sendable, Equatable {
    public var periods: Int
    public var throttledPeriods: Int
    /// Time the host's processes waited for the next period.
    public var throttledSeconds: Double

    public init(periods: Int, throttledPeriods: Int, throttledSeconds: Double) {
        self.periods = periods
        self.throttledPeriods = throttledPeriods
        self.throttledSeconds = throttledSeconds
    }

    /// Pure: `text` is `cpu.stat` (v1 counts `throttled_time` in ns, v2 `throttled_usec` in µs).
    public init(cpuStat text: String) {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = Double(fields[1]) { values[String(fields[0])] = value }
        }
        periods = Int(values["nr_periods"] ?? 0)
        throttledPeriods = Int(values["nr_throttled"] ?? 0)
        throttledSeconds = values["throttled_usec"].map { $0 / 1e6 } ?? values["throttled_time"].map { $0 / 1e9 } ?? 0
    }
}
