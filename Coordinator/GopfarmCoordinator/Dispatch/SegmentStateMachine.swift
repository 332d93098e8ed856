/// The lifecycle of one segment as a pure value: events in, decisions out; the dispatcher does
/// the I/O a decision names. pending → leased → done, with requeues on expiry or failure, and
/// `failed` once the same segment has failed on `maxDistinctAgentFailures` agents (poison) or
/// with a permanent error.
public struct SegmentStateMachine: Sendable, Equatable {
    public struct Lease: Sendable, Equatable {
        public var agent: String
        public var attempt: Int
        public var deadline: Double
    }

    public enum State: Sendable, Equatable {
        case pending
        case leased(Lease)
        case done(agent: String, attempt: Int)
        case failed(String)
    }

    public enum ResultDecision: Sendable, Equatable {
        case accept
        /// Already done, or from an attempt this agent never held.
        case reject(String)
    }

    public enum FailureDecision: Sendable, Equatable {
        case requeue
        case failJob(String)
        case ignore
    }

    public static let maxDistinctAgentFailures = 3
    /// Failures in all, for a farm of fewer than three agents.
    public static let maxFailures = 5

    public private(set) var state: State = .pending
    public private(set) var attempts = 0
    /// Every (agent, attempt) this segment was handed to: a late result must match one.
    public private(set) var grants: [Int: String] = [:]
    public private(set) var failedAgents: Set<String> = []
    public private(set) var failures = 0
    public private(set) var requeues = 0

    public init() {}

    public var isPending: Bool { state == .pending }
    public var isDone: Bool { if case .done = state { true } else { false } }

    /// Hands the segment to `agent`; returns the attempt number.
    public mutating func assign(to agent: String, now: Double, leaseSeconds: Double) -> Int {
        precondition(state == .pending, "assign from \(state)")
        attempts += 1
        grants[attempts] = agent
        state = .leased(Lease(agent: agent, attempt: attempts, deadline: now + leaseSeconds))
        return attempts
    }

    /// Progress from the lease holder pushes the deadline out.
    public mutating func extend(agent: String, attempt: Int, now: Double, leaseSeconds: Double) {
        guard case .leased(var lease) = state, lease.agent == agent, lease.attempt == attempt else { return }
        lease.deadline = max(lease.deadline, now + leaseSeconds)
        state = .leased(lease)
    }

    /// True when the lease ran out and the segment went back to pending.
    public mutating func checkExpiry(now: Double) -> Bool {
        guard case .leased(let lease) = state, now > lease.deadline else { return false }
        state = .pending
        requeues += 1
        return true
    }

    /// The agent disconnected or handed its work back.
    public mutating func agentLost(_ agent: String) -> Bool {
        guard case .leased(let lease) = state, lease.agent == agent else { return false }
        state = .pending
        requeues += 1
        return true
    }

    public func decideResult(agent: String, attempt: Int) -> ResultDecision {
        if isDone { return .reject("segment already done") }
        if case .failed = state { return .reject("segment already failed") }
        guard grants[attempt] == agent else { return .reject("attempt \(attempt) was never leased to this agent") }
        return .accept
    }

    public mutating func accept(agent: String, attempt: Int) {
        state = .done(agent: agent, attempt: attempt)
    }

    /// A valid result turned out wrong on closer inspection (frame count, timestamps).
    public mutating func failure(agent: String, attempt: Int, message: String, permanent: Bool) -> FailureDecision {
        guard grants[attempt] == agent, !isDone else { return .ignore }
        if case .failed = state { return .ignore }
        failedAgents.insert(agent)
        failures += 1
        if permanent || failedAgents.count >= Self.maxDistinctAgentFailures || failures >= Self.maxFailures {
            state = .failed(message)
            return .failJob(message)
        }
        if case .leased(let lease) = state, lease.attempt == attempt { state = .pending; requeues += 1 }
        return .requeue
    }
}
