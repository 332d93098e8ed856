import Foundation

/// Finding and removing what an earlier lab left (a crash, a SIGKILL): everything named with
/// `HostLab.prefix`.
extension HostLab {
    /// Removes namespaces, links, cgroups and the range route of an earlier run, killing what
    /// still runs in them; returns what it removed ("namespace gfbench-h1", …). Does nothing
    /// while a lab runs on this machine (it holds `LabLock`). A new lab does this first.
    @discardableResult
    public static func cleanLeftovers() -> [String] {
        guard let lock = LabLock.acquireIfFree() else { return [] }
        defer { LabLock.release(lock) }
        return removeLeftovers()
    }

    /// `cleanLeftovers()` for a caller that holds `LabLock`.
    @discardableResult
    static func removeLeftovers() -> [String] {
        var removed: [String] = []
        let cgroup = CgroupCPU.detect()
        let namespaces = ((try? HostCommand.run("ip", ["netns", "list"])) ?? "")
            .split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix) }
        for ns in namespaces {
            remove(namespace: ns, rootInterface: nil, cgroup: cgroup)
            removed.append("namespace \(ns)")
        }
        for link in prefixedLinks() where HostCommand.attempt("ip", ["link", "del", link]) {
            removed.append("link \(link)")
        }
        if let cgroup {
            for group in cgroup.groups(withPrefix: prefix) where cgroup.remove(group) {
                removed.append("cgroup \(cgroup.directory(group))")
            }
        }
        if (try? HostCommand.run("ip", ["route", "show"] + rangeRoute.dropFirst(2)))?.contains("unreachable") == true,
           HostCommand.attempt("ip", ["route", "del"] + rangeRoute) {
            removed.append("route \(rangeRoute.joined(separator: " "))")
        }
        return removed
    }

    /// Root-namespace links named with the prefix (`ip -o link` prints "5: NAME@if2: …").
    static func prefixedLinks() -> [String] {
        ((try? HostCommand.run("ip", ["-o", "link", "show"])) ?? "").split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 1 else { return nil }
            let name = fields[1].split(separator: ":").first.flatMap { $0.split(separator: "@").first }.map(String.init)
            return name.flatMap { $0.hasPrefix(prefix) ? $0 : nil }
        }
    }
}
