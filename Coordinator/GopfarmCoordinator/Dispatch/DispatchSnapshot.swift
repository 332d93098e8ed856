import Foundation
import GopfarmCommon

/// Counters since the dispatcher started (Prometheus counters).
public struct DispatchCounters: Codable, Sendable, Equatable {
    public var assignments = 0
    public var completions = 0
    public var framesCompleted = 0
    public var requeues = 0
    public var leaseExpiries = 0
    public var failures = 0
    public var speculative = 0
    public var rejectedMessages = 0
    public var refusedAgents = 0
    public init() {}
}

/// Everything the dispatcher shows the rest of the coordinator, refreshed a few times a second.
public struct DispatchSnapshot: Sendable {
    public var jobs: [String: DispatchProgress] = [:]
    public var agents: [AgentStatus] = []
    public var counters = DispatchCounters()
    /// Segments waiting for a free slot, over all jobs.
    public var queueDepth = 0
    public init() {}
}
