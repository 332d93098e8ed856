@testable import GopfarmBench
import Testing

/// The emulated-host lab's pure parts: what a user types for a link, the CPU quota arithmetic,
/// which cgroup hierarchy a machine offers, the `tc` commands a host's link gets.
@Suite("Host lab: link rates, CPU quotas, cgroups")
struct HostLabTests {
    @Test("link rates in tc's units")
    func linkRates() throws {
        #expect(try LinkRate(parsing: "1gbit").bitsPerSecond == 1_000_000_000)
        #expect(try LinkRate(parsing: "100mbit").bitsPerSecond == 100_000_000)
        #expect(try LinkRate(parsing: " 20MBit ").bitsPerSecond == 20_000_000)
        #expect(try LinkRate(parsing: "5mbit").bitsPerSecond == 5_000_000)
        #expect(try LinkRate(parsing: "2.5mbit").bitsPerSecond == 2_500_000)
        #expect(try LinkRate(parsing: "512kbit").bitsPerSecond == 512_000)
        #expect(try LinkRate(parsing: "5mbit").description == "5mbit")
        #expect(try LinkRate(parsing: "2.5mbit").description == "2500kbit")
        #expect(try LinkRate(parsing: "1gbit").tcRate == "1000000000bit")
        #expect(try LinkRate(parsing: "5mbit") < LinkRate(parsing: "1gbit"))
        // The bucket holds at least one offloaded 64 KiB packet's worth, and 4 ms at high rates.
        #expect(try LinkRate(parsing: "5mbit").burstBytes == 32 * 1024)
        #expect(try LinkRate(parsing: "1gbit").burstBytes == 500_000)
    }

    @Test("a bad link rate is one sentence", arguments: ["", "fast", "100", "100mbps", "10 mbit", "-5mbit", "0mbit", "1e400gbit", "4kbit", "200gbit", "mbit"])
    func badLinkRate(_ text: String) {
        do throws(HostLabError) {
            let rate = try LinkRate(parsing: text)
            Issue.record("'\(text)' parsed as \(rate)")
        } catch {
            #expect(error.code == .badLinkRate)
            #expect(error.description.hasPrefix("link rate '\(text)' is "), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("CPU shares become a CFS quota per 100 ms period")
    func quotas() throws {
        let half = try CPUQuota(cpus: 0.5)
        #expect(half.quotaMicroseconds == 50_000 && half.periodMicroseconds == 100_000)
        #expect(half.cpuMax == "50000 100000")
        #expect(try CPUQuota(cpus: 1.5).quotaMicroseconds == 150_000)
        #expect(try CPUQuota(cpus: 1 / 3).quotaMicroseconds == 33_333)
        #expect(try CPUQuota(cpus: 0.01).quotaMicroseconds == 1_000)
        #expect(CgroupCPU.v1(root: "/sys/fs/cgroup/cpu").settings(for: half).map { "\($0.file)=\($0.value)" }
                == ["cpu.cfs_period_us=100000", "cpu.cfs_quota_us=50000"])
        #expect(CgroupCPU.v2(root: "/sys/fs/cgroup").settings(for: half).map { "\($0.file)=\($0.value)" } == ["cpu.max=50000 100000"])
        #expect(CgroupCPU.v1(root: "/sys/fs/cgroup/cpu").procsFile("gfbench-h1") == "/sys/fs/cgroup/cpu/gfbench-h1/cgroup.procs")
    }

    @Test("CPU shares the kernel cannot take are refused in one sentence")
    func badQuotas() {
        for cpus in [0, -1, Double.nan, .infinity, 0.005] {
            #expect(throws: HostLabError.self) { try CPUQuota(cpus: cpus) }
        }
        let small = #expect(throws: HostLabError.self) { try CPUQuota(cpus: 0.005) }
        #expect(small?.code == .badCPUShare)
        #expect(small?.description == "a CPU share of 0.005 cores is below the kernel's smallest quota (0.01 cores)")
        let negative = #expect(throws: HostLabError.self) { try CPUQuota(cpus: -1) }
        #expect(negative?.description == "a host's CPU share must be a positive number of cores, such as 0.5, not -1")
    }

    @Test("the hosts' CPU must stay below the machine's cores")
    func totals() throws {
        try CPUQuota.checkTotal(hosts: 3, cpus: 0.5, cores: 2)
        try CPUQuota.checkTotal(hosts: 15, cpus: 1, cores: 16)
        let over = #expect(throws: HostLabError.self) { try CPUQuota.checkTotal(hosts: 4, cpus: 0.5, cores: 2) }
        #expect(over?.code == .overCommitted)
        #expect(over?.description == "4 hosts × 0.5 cores = 2 cores, but this machine has 2: give each host less CPU or use fewer hosts, so the total stays below the machine's cores")
        #expect(throws: HostLabError.self) { try CPUQuota.checkTotal(hosts: 3, cpus: 0.7, cores: 2) }
        #expect(CPUQuota.format(1 / 3) == "0.333" && CPUQuota.format(2) == "2" && CPUQuota.format(0.25) == "0.25" && CPUQuota.format(-1) == "-1")
    }

    /// /proc/mounts of the machines this runs on (v1 cpu beside a cgroup2 without controllers),
    /// a pure v2 machine, a v1 machine with cpu and cpuacct together, and one with neither.
    @Test("the cgroup hierarchy with a cpu controller is found from /proc/mounts")
    func detection() {
        let hybrid = """
            tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
            cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
            cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
            cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
            """
        #expect(CgroupCPU.detect(mounts: hybrid) { _ in "" } == .v1(root: "/sys/fs/cgroup/cpu"))
        let v2 = "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n"
        #expect(CgroupCPU.detect(mounts: v2) { $0 == "/sys/fs/cgroup" ? "cpuset cpu io memory pids\n" : nil } == .v2(root: "/sys/fs/cgroup"))
        #expect(CgroupCPU.detect(mounts: v2) { _ in "memory pids\n" } == nil)
        let combined = "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"
        #expect(CgroupCPU.detect(mounts: combined) { _ in nil } == .v1(root: "/sys/fs/cgroup/cpu,cpuacct"))
        let cpusetOnly = "cgroup /sys/fs/cgroup/cpuset cgroup rw,relatime,cpuset 0 0\n"
        #expect(CgroupCPU.detect(mounts: cpusetOnly) { _ in nil } == nil)
    }

    @Test("cpu.stat of either version")
    func cpuStat() {
        let v1 = CPUStatistics(cpuStat: "nr_periods 146\nnr_throttled 74\nthrottled_time 4844953173\nnr_bursts 0\nburst_time 0\n")
        #expect(v1 == CPUStatistics(periods: 146, throttledPeriods: 74, throttledSeconds: 4.844953173))
        let v2 = CPUStatistics(cpuStat: "usage_usec 912\nuser_usec 500\nsystem_usec 412\nnr_periods 10\nnr_throttled 3\nthrottled_usec 25000\n")
        #expect(v2 == CPUStatistics(periods: 10, throttledPeriods: 3, throttledSeconds: 0.025))
        #expect(CPUStatistics(cpuStat: "") == CPUStatistics(periods: 0, throttledPeriods: 0, throttledSeconds: 0))
    }

    @Test("a host's names, addresses and the tc commands that shape both ends of its link")
    func hostLayout() throws {
        let host = EmulatedHost(index: 2, cpus: 0.5)
        #expect(host.namespace == "gfbench-h2" && host.rootInterface == "gfbench-h2r" && host.name == "h2")
        #expect(host.rootAddress == "198.18.2.1" && host.address == "198.18.2.2")
        #expect(EmulatedHost(index: EmulatedHost.maximumCount, cpus: 1).rootInterface.count <= 15, "Linux interface names have 15 characters at most")
        let commands = HostLab.shapingCommands(host, try LinkRate(parsing: "5mbit"))
        #expect(commands == [
            ["qdisc", "replace", "dev", "gfbench-h2r", "root", "tbf", "rate", "5000000bit", "burst", "32768", "latency", "50ms"],
            ["-n", "gfbench-h2", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", "5000000bit", "burst", "32768", "latency", "50ms"],
        ])
        #expect(LinkCounters(sentToHost: 10, receivedFromHost: 50).since(LinkCounters(sentToHost: 4, receivedFromHost: 60))
                == LinkCounters(sentToHost: 6, receivedFromHost: 0))
    }

    @Test("a failed command is one sentence with what the tool said")
    func commandError() {
        let error = HostLabError(.commandFailed, "tc failed with status 2", command: "tc qdisc add dev x root netem delay 1ms",
                                 stderr: "Error: Specified qdisc kind is unknown.\n")
        #expect(error.description == "tc failed with status 2 (tc qdisc add dev x root netem delay 1ms): Error: Specified qdisc kind is unknown.")
    }
}
