/// One emulated host: a network namespace joined to the root namespace by a veth pair, a
/// shaped link and a CPU-capped cgroup. Every name starts with `HostLab.prefix`, so a crashed
/// run's leftovers can be found.
///
/// Addresses come from the benchmarking range 198.18.0.0/15 (RFC 2544): host *i* is
/// 198.18.*i*.2/24 and its gateway, the root side of its veth, 198.18.*i*.1; the coordinator
/// listens on `HostLab.coordinatorAddress` (198.18.0.1), which every host reaches through its
/// gateway, so cutting one host's link leaves the others connected.
public struct EmulatedHost: Sendable, Equatable, Hashable {
    /// 1-based.
    public var index: Int
    /// `gfbench-h1`: the namespace and the cgroup.
    public var namespace: String
    /// The veth end in the root namespace (`gfbench-h1r`): link up/down, shaping toward the
    /// host, byte counters.
    public var rootInterface: String
    /// The veth end inside the namespace.
    public var hostInterface: String
    public var rootAddress: String
    public var address: String
    public var cpus: Double

    /// The most hosts one lab has: one /24 of 198.18.0.0/16 each, 198.18.0.0/24 being the hub's.
    public static let maximumCount = 254

    public init(index: Int, cpus: Double) {
        self.index = index
        namespace = HostLab.prefix + "h\(index)"
        rootInterface = namespace + "r"
        hostInterface = "eth0"
        rootAddress = "198.18.\(index).1"
        address = "198.18.\(index).2"
        self.cpus = cpus
    }

    /// `h1`, `h2` …: a short name for agents and reports.
    public var name: String { "h\(index)" }
}
