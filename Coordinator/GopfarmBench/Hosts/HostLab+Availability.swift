import Foundation

/// Whether this machine can run emulated hosts, checked by doing it once: a namespace, a veth
/// into it, a `tbf` qdisc and a CPU cgroup, all removed again.
extension HostLab {
    static let noCPUController = "no cgroup cpu controller is mounted (cgroup v1 cpu, or cgroup v2 with cpu in cgroup.controllers)"
    static let probe = prefix + "probe"

    /// nil when `HostLab` can be built here, else one sentence why not. While another lab runs
    /// the answer is nil without a probe: that lab shows it works (a new one waits or is refused
    /// with `.busy`).
    public static func unavailableReason() -> String? {
        if let reason = missingPrerequisite() { return reason }
        guard let cgroup = CgroupCPU.detect() else { return noCPUController }
        guard let lock = LabLock.acquireIfFree() else { return nil }
        defer {
            remove(namespace: probe, rootInterface: probe, cgroup: cgroup)
            LabLock.release(lock)
        }
        let steps: [(String, () throws(HostLabError) -> Void)] = [
            ("cannot create a network namespace", { () throws(HostLabError) in try HostCommand.run("ip", ["netns", "add", probe]) }),
            ("cannot create a veth link into a namespace", { () throws(HostLabError) in
                try HostCommand.run("ip", ["link", "add", probe, "type", "veth", "peer", "name", "eth0", "netns", probe]) }),
            ("tc cannot shape a link with tbf", { () throws(HostLabError) in
                try HostCommand.run("tc", ["qdisc", "add", "dev", probe, "root", "tbf", "rate", "5mbit", "burst", "32kb", "latency", "50ms"]) }),
            ("cannot create a CPU-capped cgroup under \(cgroup.root)", { () throws(HostLabError) in
                try cgroup.create(probe, quota: try CPUQuota(cpus: 0.5)) }),
        ]
        for (what, step) in steps {
            do { try step() } catch { return "\(what): \(error)" }
        }
        return nil
    }

    /// The checks that need no side effect: Linux, root, the iproute2 tools.
    static func missingPrerequisite() -> String? {
        #if os(Linux)
        guard geteuid() == 0 else { return "emulated hosts need root: network namespaces, tc and cgroups are root's to change" }
        for tool in ["ip", "tc"] where HostCommand.locate(tool) == nil {
            return "the \(tool) command (iproute2) is not installed"
        }
        return nil
        #else
        return "emulated hosts need Linux network namespaces, tc and cgroups"
        #endif
    }
}
