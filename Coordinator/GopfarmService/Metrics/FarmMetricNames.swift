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
    public static let diskFreeBytes = "gopfarm_disk_free_bytes"
    public static let diskSizeBytes = "gopfarm_disk_size_bytes"
    public static let segmentSeconds = "gopfarm_segment_seconds"
    public static let httpRequests = "gopfarm_http_requests_total"
    public static let httpRequestSeconds = "gopfarm_http_request_seconds"

    /// The dispatcher's running totals, each a Prometheus counter.
    static let counters: [(name: String, help: String, value: @Sendable (DispatchCounters) -> Int)] = [
        ("gopfarm_segments_assigned_total", "Segment attempts handed to agents.", { $0.assignments }),
        ("gopfarm_segments_completed_total", "Segments whose result was accepted.", { $0.completions }),
        ("gopfarm_frames_completed_total", "Frames in accepted segment results.", { $0.framesCompleted }),
        ("gopfarm_lease_expiries_total", "Leases taken back from agents that made no progress.", { $0.leaseExpiries }),
        ("gopfarm_retries_total", "Segments queued again after a failed or lost attempt.", { $0.requeues }),
        ("gopfarm_segment_failures_total", "Segment attempts that failed on an agent.", { $0.failures }),
        ("gopfarm_speculative_total", "Straggling segments re-run speculatively on an idle agent.", { $0.speculative }),
        ("gopfarm_rejected_messages_total", "Agent messages the coordinator refused (malformed, stale or not allowed).", { $0.rejectedMessages }),
        ("gopfarm_refused_agents_total", "Agents refused at the handshake (key not allowed, bad version).", { $0.refusedAgents }),
    ]

    /// The `# HELP` line of every other name.
    static let help: [String: String] = [
        jobs: "Jobs in each state.",
        queueDepth: "Segments waiting for an agent.",
        agents: "Agents connected.",
        agentsDraining: "Agents draining: finishing their segments, taking no new ones.",
        agentSlots: "Agent slots, busy and total.",
        framesPerSecond: "Frames per second the connected agents report.",
        segmentsPerSecond: "Segments completed per second since the previous scrape.",
        diskUsedBytes: "Bytes the data directory holds (outputs, spool, reports).",
        diskBudgetBytes: "The data directory's byte budget (0: none).",
        diskFreeBytes: "Bytes free on the file system holding the data directory; jobs fail once none are.",
        diskSizeBytes: "Size in bytes of the file system holding the data directory.",
        segmentSeconds: "Seconds from a segment attempt's lease to its agent's answer.",
        httpRequests: "HTTP answers by status class.",
        httpRequestSeconds: "Seconds to each HTTP answer's head.",
    ]
}
