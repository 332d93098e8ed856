import Foundation

/// The open-file limit of this process. A coordinator's work is descriptors (HTTP clients,
/// agents' connections, the database, spool files), and a process that runs out of them does
/// not fail politely: libdispatch's thread-pool monitor traps when it cannot open
/// `/proc/TID/stat`. So `serve` raises its soft limit to the hard limit at start, as Go's
/// runtime and nginx's `worker_rlimit_nofile` do.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one (at most 2^20) and returns the soft limit then in force.
    @discardableResult
    public static func raise() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
