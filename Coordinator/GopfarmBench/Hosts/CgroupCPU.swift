import Foundation

/// Where per-host CPU caps live: a cgroup v1 hierarchy with the `cpu` controller (its own mount,
/// alone or as `cpu,cpuacct`), or the cgroup v2 hierarchy with `cpu` among its controllers.
/// A v1 `cpu` mount wins on hybrid machines, since a controller bound to v1 is absent from v2.
public enum CgroupCPU: Sendable, Equatable {
    case v1(root: String)
    case v2(root: String)

    /// The machine's hierarchy, or nil when no cpu controller is mounted.
    public static func detect() -> CgroupCPU? {
        let mounts = (try? String(contentsOfFile: "/proc/mounts", encoding: .utf8)) ?? ""
        return detect(mounts: mounts) { try? String(contentsOfFile: $0 + "/cgroup.controllers", encoding: .utf8) }
    }

    /// Pure: `mounts` is /proc/mounts; `controllers` reads a v2 root's `cgroup.controllers`.
    static func detect(mounts: String, controllers: (String) -> String?) -> CgroupCPU? {
        var v2: String?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 4 else { continue }
            let point = String(fields[1]), type = fields[2]
            if type == "cgroup", fields[3].split(separator: ",").contains("cpu") { return .v1(root: point) }
            if type == "cgroup2", v2 == nil,
               controllers(point)?.split(whereSeparator: \.isWhitespace).contains("cpu") == true {
                v2 = point
            }
        }
        return v2.map { .v2(root: $0) }
    }

    public var root: String {
        switch self { case .v1(let root), .v2(let root): root }
    }

    public var version: Int {
        switch self { case .v1: 1; case .v2: 2 }
    }

    public func directory(_ name: String) -> String { root + "/" + name }

    /// Writing a pid here moves that process (all its threads); children inherit the group.
    public func procsFile(_ name: String) -> String { directory(name) + "/cgroup.procs" }

    /// The control files that set `quota`, in the order they must be written.
    public func settings(for quota: CPUQuota) -> [(file: String, value: String)] {
        switch self {
        case .v1: [("cpu.cfs_period_us", "\(quota.periodMicroseconds)"), ("cpu.cfs_quota_us", "\(quota.quotaMicroseconds)")]
        case .v2: [("cpu.max", quota.cpuMax)]
        }
    }

    /// Makes group `name` capped at `quota` (an existing group is reused and re-capped).
    func create(_ name: String, quota: CPUQuota) throws(HostLabError) {
        if case .v2 = self {
            // A v2 child gets the cpu controller only when its parent hands it down.
            let subtree = (try? String(contentsOfFile: root + "/cgroup.subtree_control", encoding: .utf8)) ?? ""
            if !subtree.split(whereSeparator: \.isWhitespace).contains("cpu") {
                try Self.write("+cpu", to: root + "/cgroup.subtree_control")
            }
        }
        let dir = directory(name)
        if mkdir(dir, 0o755) != 0, errno != EEXIST {
            throw HostLabError(.cgroupFailed, "cannot create the cgroup \(dir): \(String(cString: strerror(errno)))")
        }
        for (file, value) in settings(for: quota) { try Self.write(value, to: dir + "/" + file) }
    }

    /// Moves process `pid` (all its threads) into group `name`. The kernel has refused such a
    /// move now and then on busy machines (CI saw it, with no errno: a shell's `echo` said only
    /// "I/O error"), so a refusal is tried again for up to `seconds` before it is thrown, with
    /// the kernel's reason.
    func join(_ pid: pid_t, to name: String, within seconds: Double = 3) throws(HostLabError) {
        let deadline = Date().addingTimeInterval(seconds)
        var tries = 0
        while true {
            tries += 1
            do throws(HostLabError) {
                try Self.write("\(pid)", to: procsFile(name))
                return
            } catch {
                guard Date() < deadline else {
                    throw HostLabError(.cgroupFailed, "the kernel refused to move pid \(pid) into the cgroup \(directory(name)) (\(tries) tries): \(error.message)")
                }
            }
            usleep(50_000)
        }
    }

    /// Pids in group `name` (empty when it does not exist).
    func members(_ name: String) -> [pid_t] {
        let text = (try? String(contentsOfFile: procsFile(name), encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isNewline).compactMap { pid_t($0) }
    }

    /// Kills what is left in group `name` and removes it; false when it is still there.
    @discardableResult
    func remove(_ name: String, within seconds: Double = 5) -> Bool {
        let dir = directory(name)
        guard FileManager.default.fileExists(atPath: dir) else { return true }
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            for pid in members(name) { kill(pid, SIGKILL) }
            if rmdir(dir) == 0 || errno == ENOENT { return true }
            usleep(20_000)
        } while Date() < deadline
        return false
    }

    /// Group names under the root that start with `prefix` (leftovers of an earlier lab).
    func groups(withPrefix prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
    }

    /// One `write(2)` of `value`: cgroup files take a value per write, and the errno is the answer.
    static func write(_ value: String, to path: String) throws(HostLabError) {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else {
            throw HostLabError(.cgroupFailed, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw HostLabError(.cgroupFailed, "cannot write '\(value)' to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
