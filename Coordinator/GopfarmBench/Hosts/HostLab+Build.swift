import Foundation

/// Making and removing the lab's network pieces: the hub, the route that keeps the range on
/// this machine, and each host's namespace, veth pair, qdiscs and cgroup.
extension HostLab {
    /// The hub: a veth pair whose both ends stay in the root namespace, carrying
    /// `coordinatorAddress` (the kernel here has no dummy interfaces).
    static let hub = prefix + "hub"
    static let hubPeer = prefix + "hubp"
    /// While a host's link is down its connected route is gone; this route makes the rest of
    /// 198.18.0.0/15 unreachable instead of sending it to the default gateway.
    static let rangeRoute = ["unreachable", "198.18.0.0/15", "metric", "4242"]

    static func buildHub() throws(HostLabError) {
        try HostCommand.run("ip", ["link", "add", hub, "type", "veth", "peer", "name", hubPeer])
        try HostCommand.run("ip", ["addr", "add", coordinatorAddress + "/32", "dev", hub])
        try HostCommand.run("ip", ["link", "set", hub, "up"])
        try HostCommand.run("ip", ["link", "set", hubPeer, "up"])
        try HostCommand.run("ip", ["route", "add"] + rangeRoute)
    }

    static func removeHub() {
        HostCommand.attempt("ip", ["link", "del", hub])
        if (try? HostCommand.run("ip", ["route", "show"] + rangeRoute.dropFirst(2)))?.contains("unreachable") == true {
            HostCommand.attempt("ip", ["route", "del"] + rangeRoute)
        }
    }

    func build(_ host: EmulatedHost, link: LinkRate) throws(HostLabError) {
        let ns = host.namespace
        try HostCommand.run("ip", ["netns", "add", ns])
        try HostCommand.run("ip", ["link", "add", host.rootInterface, "type", "veth", "peer", "name", host.hostInterface, "netns", ns])
        try HostCommand.run("ip", ["addr", "add", host.rootAddress + "/24", "dev", host.rootInterface])
        try HostCommand.run("ip", ["link", "set", host.rootInterface, "up"])
        try HostCommand.run("ip", ["-n", ns, "link", "set", "lo", "up"])
        try HostCommand.run("ip", ["-n", ns, "addr", "add", host.address + "/24", "dev", host.hostInterface])
        try HostCommand.run("ip", ["-n", ns, "link", "set", host.hostInterface, "up"])
        try HostCommand.run("ip", ["-n", ns, "route", "add", "default", "via", host.rootAddress])
        for command in Self.shapingCommands(host, link) { try HostCommand.run("tc", command) }
        try cgroup.create(ns, quota: quota)
    }

    /// `tc` argument lists that cap both directions of a host's link at `rate`: a token bucket
    /// on the root side's egress (toward the host) and on the host side's (toward the root).
    static func shapingCommands(_ host: EmulatedHost, _ rate: LinkRate) -> [[String]] {
        let tbf = ["root", "tbf", "rate", rate.tcRate, "burst", "\(rate.burstBytes)", "latency", "50ms"]
        return [["qdisc", "replace", "dev", host.rootInterface] + tbf,
                ["-n", host.namespace, "qdisc", "replace", "dev", host.hostInterface] + tbf]
    }

    /// Kills what runs in a host, then deletes its link (both veth ends and their qdiscs), its
    /// namespace and its cgroup. Each step tolerates what is already gone.
    static func remove(namespace: String, rootInterface: String?, cgroup: CgroupCPU?) {
        let namespaced = (try? HostCommand.run("ip", ["netns", "pids", namespace])) ?? ""
        for pid in namespaced.split(whereSeparator: \.isNewline).compactMap({ pid_t($0) }) { kill(pid, SIGKILL) }
        if let cgroup { for pid in cgroup.members(namespace) { kill(pid, SIGKILL) } }
        if let rootInterface { HostCommand.attempt("ip", ["link", "del", rootInterface]) }
        HostCommand.attempt("ip", ["netns", "del", namespace])
        cgroup?.remove(namespace)
    }

    /// Tries a netem qdisc on the hub's idle end and removes it.
    static func netemWorks(on interface: String) -> Bool {
        guard HostCommand.attempt("tc", ["qdisc", "add", "dev", interface, "root", "netem", "delay", "1ms"]) else { return false }
        HostCommand.attempt("tc", ["qdisc", "del", "dev", interface, "root"])
        return true
    }
}
