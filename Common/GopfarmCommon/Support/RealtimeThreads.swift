import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SVT-AV1 1.4 gives the threads it starts `SCHED_FIFO` at priority 99 when the process may
/// (root): an AV1 encode then ran real-time, above every heartbeat, HTTP answer and other
/// process on the machine, and whatever such a thread started inherited it (a test process's
/// pool thread spawned agents at FIFO 99, and the kernel refused them the emulated hosts'
/// cgroups, whose real-time budget is 0). Nothing of gopfarm needs real time: after an encoder
/// opens, every thread of the process goes back to the normal policy.
public enum RealtimeThreads {
    /// Puts each real-time thread of this process back under `SCHED_OTHER`; returns how many.
    @discardableResult
    public static func demote() -> Int {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return 0 }
        var normal = sched_param(sched_priority: 0)
        var demoted = 0
        for name in tasks {
            guard let tid = pid_t(name) else { continue }
            let policy = sched_getscheduler(tid)
            if policy == SCHED_FIFO || policy == SCHED_RR, sched_setscheduler(tid, SCHED_OTHER, &normal) == 0 { demoted += 1 }
        }
        return demoted
    }

    /// Process `pid` (a child about to run) under the normal policy, whatever it inherited.
    public static func normalize(_ pid: pid_t) {
        var normal = sched_param(sched_priority: 0)
        if sched_getscheduler(pid) != SCHED_OTHER { _ = sched_setscheduler(pid, SCHED_OTHER, &normal) }
    }

    /// Whether any thread of this process runs under a real-time policy.
    public static var any: Bool {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.contains { pid_t($0).map { [SCHED_FIFO, SCHED_RR].contains(sched_getscheduler($0)) } ?? false }
    }
}
