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
        realtime().filter(makeNormal).count
    }

    /// Process `pid` (a child about to run) under the normal policy, whatever it inherited.
    public static func normalize(_ pid: pid_t) {
        if isRealtime(pid) { _ = makeNormal(pid) }
    }

    /// Whether any thread of this process runs under a real-time policy.
    public static var any: Bool { !realtime().isEmpty }

    /// The threads of this process under a real-time policy.
    private static func realtime() -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { pid_t($0) }.filter(isRealtime)
    }

    private static func isRealtime(_ tid: pid_t) -> Bool {
        let policy = sched_getscheduler(tid)
        return policy == SCHED_FIFO || policy == SCHED_RR
    }

    private static func makeNormal(_ tid: pid_t) -> Bool {
        var normal = sched_param(sched_priority: 0)
        return sched_setscheduler(tid, SCHED_OTHER, &normal) == 0
    }
}
