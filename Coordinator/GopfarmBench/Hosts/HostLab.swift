import Foundation
import GopfarmCommon
import Synchronization

/// Emulated hosts on this machine, for `gopfarm bench --emulate-hosts` and the multi-host
/// tests: each host is a network namespace with a veth link to the root namespace, shaped with
/// `tc tbf` in both directions, and a cgroup that caps its CPU (see `EmulatedHost`). Processes
/// launched into a host run in its namespace and its cgroup, and so do their children.
///
/// Needs root on Linux (`unavailableReason()` says why not). Everything the lab makes is named
/// with `prefix`; `teardown()` removes it (idempotent, also on deinit) and a new lab first
/// removes what a crashed one left (`cleanLeftovers()`). One lab runs per machine at a time
/// (`LabLock`): another waits for it or refuses. The lab installs no signal handler: whoever
/// owns it tears it down on SIGINT.
public final class HostLab: Sendable {
    public static let prefix = "gfbench-"
    /// The coordinator's address for agents in the hosts: it sits on the lab's hub interface in
    /// the root namespace and every host routes to it through its own link.
    public static let coordinatorAddress = "198.18.0.1"
    /// What the bench prints when links can only be shaped for bandwidth.
    public static let noNetemNote = "no netem in this kernel: links are shaped for bandwidth only, no delay or loss"

    public let hosts: [EmulatedHost]
    public let cgroup: CgroupCPU
    public let quota: CPUQuota
    /// Whether `tc` can add delay and loss (netem) here; `shapingNote` says so in one line.
    public let hasNetem: Bool
    public var shapingNote: String? { hasNetem ? nil : Self.noNetemNote }

    private struct State {
        var processes: [Process] = []
        var rates: [Int: LinkRate] = [:]
        var tornDown = false
        /// The descriptor holding `LabLock`, closed last by `teardown()`.
        var lock: Int32?
    }
    private let state: Mutex<State>

    /// Builds `count` hosts of `cpus` cores each with `link` in both directions, after removing
    /// an earlier run's leftovers. While another lab runs on this machine it waits up to
    /// `waitingForLab` seconds, then throws (`.busy`). On any failure what was built is removed
    /// before it throws.
    public init(hosts count: Int, cpus: Double, link: LinkRate, waitingForLab: Double = 0) throws(HostLabError) {
        guard (1...EmulatedHost.maximumCount).contains(count) else {
            throw HostLabError(.unavailable, "a lab has 1 to \(EmulatedHost.maximumCount) hosts, not \(count)")
        }
        quota = try CPUQuota(cpus: cpus)
        try CPUQuota.checkTotal(hosts: count, cpus: cpus, cores: ProcessInfo.processInfo.activeProcessorCount)
        if let reason = Self.missingPrerequisite() { throw HostLabError(.unavailable, reason) }
        guard let cgroup = CgroupCPU.detect() else { throw HostLabError(.unavailable, Self.noCPUController) }
        self.cgroup = cgroup
        hosts = (1...count).map { EmulatedHost(index: $0, cpus: cpus) }
        let lock = try LabLock.acquire(waiting: waitingForLab)
        state = Mutex(State(rates: Dictionary(uniqueKeysWithValues: (1...count).map { ($0, link) }), lock: lock))
        Self.removeLeftovers()
        do throws(HostLabError) { try Self.buildHub() } catch {
            Self.removeHub()
            LabLock.release(lock)
            throw error
        }
        hasNetem = Self.netemWorks(on: Self.hubPeer)
        do throws(HostLabError) {
            for host in hosts { try build(host, link: link) }
        } catch {
            teardown()
            throw error
        }
    }

    deinit { teardown() }

    // MARK: - Processes

    /// Starts `executable arguments…` in `host`: in its network namespace and its CPU cgroup
    /// (children inherit both), stdout and stderr appended to `log`. The lab stops it on teardown.
    public func launch(in host: EmulatedHost, _ executable: String, _ arguments: [String], log: URL,
                       environment: [String: String]? = nil) throws(HostLabError) -> Process {
        guard let ip = HostCommand.locate("ip") else { throw HostLabError(.unavailable, "the ip command (iproute2) is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell waits for a line on its stdin while the lab moves it into the cgroup, then
        // becomes `ip netns exec`, which becomes the program: one pid from start to end, already
        // capped before the program's first instruction, its stdin /dev/null.
        process.arguments = ["-c", #"read -r _ && exec "$@" </dev/null"#, "sh",
                             ip, "netns", "exec", host.namespace, executable] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let gate = Pipe()
        process.standardInput = gate
        defer { try? gate.fileHandleForWriting.close() }
        let handle: FileHandle
        do {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            handle = try FileHandle(forWritingTo: log)
            try handle.seekToEnd()
        } catch {
            throw HostLabError(.launchFailed, "cannot open the log \(log.path): \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        // Registered as it starts, so a teardown racing with this launch still stops it.
        try state.withLock { s throws(HostLabError) in
            guard !s.tornDown else { throw HostLabError(.tornDown, "the emulated hosts were already torn down") }
            do { try process.runWithSignalsDelivered() } catch {
                throw HostLabError(.launchFailed, "cannot start \(executable) in \(host.namespace): \(error.localizedDescription)")
            }
            s.processes.append(process)
        }
        try? gate.fileHandleForReading.close()
        // A real-time child (started from a real-time thread) is refused by a cgroup whose
        // real-time budget is 0 (EINVAL): the hosts run normal processes.
        RealtimeThreads.normalize(process.processIdentifier)
        do throws(HostLabError) {
            try cgroup.join(process.processIdentifier, to: host.namespace)
        } catch {
            process.terminate()
            throw error
        }
        try? gate.fileHandleForWriting.write(contentsOf: Data("go\n".utf8))
        return process
    }

    // MARK: - Links

    /// Cuts (`up: false`) or restores a host's link, as a pulled cable would: the host's
    /// packets stop both ways, its processes keep running.
    public func setLink(of host: EmulatedHost, up: Bool) throws(HostLabError) {
        try HostCommand.run("ip", ["link", "set", host.rootInterface, up ? "up" : "down"])
    }

    /// Reshapes a host's link in both directions while it carries traffic.
    public func shape(_ host: EmulatedHost, to rate: LinkRate) throws(HostLabError) {
        for command in Self.shapingCommands(host, rate) { try HostCommand.run("tc", command) }
        state.withLock { $0.rates[host.index] = rate }
    }

    /// The rate a host's link is shaped to now.
    public func rate(of host: EmulatedHost) -> LinkRate? {
        state.withLock { $0.rates[host.index] }
    }

    /// Bytes that crossed a host's link so far (zero when the link is gone).
    public func counters(of host: EmulatedHost) -> LinkCounters {
        func read(_ name: String) -> UInt64 {
            let path = "/sys/class/net/\(host.rootInterface)/statistics/\(name)"
            return (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        }
        return LinkCounters(sentToHost: read("tx_bytes"), receivedFromHost: read("rx_bytes"))
    }

    /// What the host's CPU cap did so far (zero before its cgroup exists or after teardown).
    public func cpuStatistics(of host: EmulatedHost) -> CPUStatistics {
        CPUStatistics(cpuStat: (try? String(contentsOfFile: cgroup.directory(host.namespace) + "/cpu.stat", encoding: .utf8)) ?? "")
    }

    // MARK: - Teardown

    /// Stops every launched process (SIGTERM, SIGKILL after `grace` seconds), then removes the
    /// hosts' namespaces, links, qdiscs and cgroups, the hub and the route. Idempotent; safe to
    /// call from any thread (a SIGINT handler's, a `defer`).
    public func teardown(grace: Double = 2) {
        let taken: (processes: [Process], lock: Int32?)? = state.withLock { s in
            guard !s.tornDown else { return nil }
            s.tornDown = true
            defer { s.processes = []; s.lock = nil }
            return (s.processes, s.lock)
        }
        guard let taken else { return }
        Self.stop(taken.processes.map(\.processIdentifier), grace: grace)
        for host in hosts { Self.remove(namespace: host.namespace, rootInterface: host.rootInterface, cgroup: cgroup) }
        Self.removeHub()
        if let lock = taken.lock { LabLock.release(lock) }
    }

    /// SIGTERM, then SIGKILL to whatever still runs after `grace` seconds.
    static func stop(_ pids: [pid_t], grace: Double) {
        let alive = { pids.filter { kill($0, 0) == 0 && !isZombie($0) } }
        for pid in alive() { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        while !alive().isEmpty, Date() < deadline { usleep(20_000) }
        for pid in alive() { kill(pid, SIGKILL) }
    }

    /// A process that exited but was not reaped yet (Foundation reaps on its own thread).
    private static func isZombie(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
