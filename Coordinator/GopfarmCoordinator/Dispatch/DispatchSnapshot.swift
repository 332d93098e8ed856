import Foundation

/// What ops see of one connected agent.
public struct AgentStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case idle, working, draining }
    public var name: String
    public var state: State
    public var slots: Int
    public var busy: Int
    public var threads: Int
    public var cores: Int
    public var version: String
    public var encoders: [String]
    /// The CURVE public key it authenticated with (nil on an insecure endpoint).
    public var publicKey: String?
    public var segmentsDone: Int
    public var framesPerSecond: Double
    public var lastHeartbeatSecondsAgo: Double
    public var connectedSeconds: Double
}

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
