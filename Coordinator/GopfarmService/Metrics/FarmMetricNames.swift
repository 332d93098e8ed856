import GopfarmCoordinator

/// The names `/metrics` serves: one place, read by `FarmMetrics`, and by the tests that hold the
/// README, the alert rules and the Grafana dashboard to them.
public enum FarmMetricNames {
    public static let jobs = "gopfarm_jobs"
    public static let queueDepth = "gopfarm_queue_depth"
    public static let agents = "gopfarm_agents"
    public static let agentsDraining = "gopfarm_agents_draining"
    public static let agentSlots = "gopfarm_agent_slots"
    public static let framesPerSecond = "gopfarm_frames_per_second"
    public static let segmentsPerSecond = "gopfarm_segments_per_second"
    public static let diskUsedBytes = "gopfarm_disk_used_bytes"
    public static let diskBudgetBytes = "gopfarm_disk_budget_bytes"
    public static let segmentSeconds = "gopfarm_segment_seconds"
    public static let httpRequests = "gopfarm_http_requests_total"
    public static let httpRequestSeconds = "gopfarm_http_request_seconds"

    /// The dispatcher's running totals, each a Prometheus counter.
    static let counters: [(name: String, value: @Sendable (DispatchCounters) -> Int)] = [
        ("gopfarm_segments_assigned_total", { $0.assignments }),
        ("gopfarm_segments_completed_total", { $0.completions }),
        ("gopfarm_frames_completed_total", { $0.framesCompleted }),
        ("gopfarm_lease_expiries_total", { $0.leaseExpiries }),
        ("gopfarm_retries_total", { $0.requeues }),
        ("gopfarm_segment_failures_total", { $0.failures }),
        ("gopfarm_speculative_total", { $0.speculative }),
        ("gopfarm_rejected_messages_total", { $0.rejectedMessages }),
        ("gopfarm_refused_agents_total", { $0.refusedAgents }),
    ]
}
