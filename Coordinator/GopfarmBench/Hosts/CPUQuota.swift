/// A host's CPU cap as the CFS bandwidth controller takes it: `quota` microseconds of CPU time
/// per `period` (cgroup v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`, v2 `cpu.max`). 0.5 cores is
/// 50,000 µs per 100,000 µs.
public struct CPUQuota: Sendable, Equatable {
    public static let defaultPeriod = 100_000
    /// The kernel refuses quotas under 1 ms.
    public static let smallestQuota = 1_000

    public var cpus: Double
    public var quotaMicroseconds: Int
    public var periodMicroseconds: Int

    public init(cpus: Double, periodMicroseconds: Int = CPUQuota.defaultPeriod) throws(HostLabError) {
        guard cpus.isFinite, cpus > 0 else {
            throw HostLabError(.badCPUShare, "a host's CPU share must be a positive number of cores, such as 0.5, not \(CPUQuota.format(cpus))")
        }
        let quota = (cpus * Double(periodMicroseconds)).rounded()
        guard quota >= Double(Self.smallestQuota) else {
            let least = Double(Self.smallestQuota) / Double(periodMicroseconds)
            throw HostLabError(.badCPUShare, "a CPU share of \(CPUQuota.format(cpus)) cores is below the kernel's smallest quota (\(CPUQuota.format(least)) cores)")
        }
        self.cpus = cpus
        self.quotaMicroseconds = Int(quota)
        self.periodMicroseconds = periodMicroseconds
    }

    /// Refuses host sets that would take all the machine's cores: the coordinator, the stitch and
    /// the kernel's shaping need CPU too, and a host whose cap is not met measures nothing.
    public static func checkTotal(hosts: Int, cpus: Double, cores: Int) throws(HostLabError) {
        let total = Double(hosts) * cpus
        guard total < Double(cores) else {
            throw HostLabError(.overCommitted, "\(hosts) hosts × \(format(cpus)) cores = \(format(total)) cores, but this machine has \(cores): give each host less CPU or use fewer hosts, so the total stays below the machine's cores")
        }
    }

    /// cgroup v2's `cpu.max` line.
    public var cpuMax: String { "\(quotaMicroseconds) \(periodMicroseconds)" }

    /// 0.5 → "0.5", 2 → "2", 0.333333 → "0.333": at most three decimals, none trailing.
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return "\(value)" }
        let milli = Int((abs(value) * 1000).rounded())
        let sign = value < 0 && milli > 0 ? "-" : ""
        let whole = milli / 1000, fraction = milli % 1000
        guard fraction > 0 else { return "\(sign)\(whole)" }
        var digits = String(fraction + 1000).dropFirst()
        while digits.hasSuffix("0") { digits = digits.dropLast() }
        return "\(sign)\(whole).\(digits)"
    }
}
