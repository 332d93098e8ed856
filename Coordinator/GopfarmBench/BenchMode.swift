/// Where a bench's agents run, which decides how its figures may be read.
public enum BenchMode: String, Codable, Sendable, CaseIterable {
    /// Agent processes on this machine: they share its cores, so N agents cannot be N times faster.
    case local
    /// Each agent on its own emulated host (network namespace, shaped link, CPU-capped cgroup).
    case emulatedHosts = "emulated-hosts"
    /// Agents of a running `gopfarm serve` (`--url`): real machines, `maxAgents` picks N of them.
    case cluster

    /// One line under the table saying what the figures mean.
    public var caption: String {
        switch self {
        case .local: "local processes sharing this machine's cores: speedup is bounded by the cores, not by the farm"
        case .emulatedHosts: "emulated hosts: one network namespace, shaped link and CPU-capped cgroup per agent"
        case .cluster: "a real cluster: the same job on N of its agents (maxAgents)"
        }
    }
}
