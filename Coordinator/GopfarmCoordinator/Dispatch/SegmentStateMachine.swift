/// The lifecycle of one segment as a pure value: events in, decisions out; the dispatcher does
/// the I/O a decision names. pending → running (one lease, or two while a straggler is re-run
/// speculatively) → done, with requeues on expiry or failure, and `failed` once the same segment
/// has failed on `maxDistinctAgentFailures` agents (poison) or with a permanent error.
public struct SegmentStateMachine: Sendable, Equatable {
    public struct Lease: Sendable, Equatable {
        public var agent: String
        public var attempt: Int
        public var started: Double
        public var deadline: Double
    }

    public enum State: Sendable, Equatable {
        case pending
        case running([Lease])
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
        /// Another lease is still running; nothing to do.
        case keepRunning
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
    /// Attempts already counted as failed: an agent repeating a failure (or a forged copy of
    /// one) cannot push a segment to poison on its own.
    public private(set) var failedAttempts: Set<Int> = []
    public private(set) var failures = 0
    public private(set) var requeues = 0

    public init() {}

    /// A segment restored as done (coordinator restart: its result is in the spool).
    public static func restoredDone(agent: String, attempt: Int) -> SegmentStateMachine {
        var s = SegmentStateMachine()
        s.attempts = attempt
        s.grants[attempt] = agent
        s.state = .done(agent: agent, attempt: attempt)
        return s
    }

    public var isPending: Bool { state == .pending }
    public var isDone: Bool { if case .done = state { true } else { false } }
    public var leases: [Lease] { if case .running(let l) = state { l } else { [] } }

    /// Hands the segment to `agent` (a second lease while it runs is a speculative re-run);
    /// returns the attempt number.
    public mutating func assign(to agent: String, now: Double, leaseSeconds: Double) -> Int {
        precondition(isPending || (leases.count > 0 && !leases.contains { $0.agent == agent }), "assign from \(state)")
        attempts += 1
        grants[attempts] = agent
        state = .running(leases + [Lease(agent: agent, attempt: attempts, started: now, deadline: now + leaseSeconds)])
        return attempts
    }

    /// Progress from a lease holder pushes its deadline out.
    public mutating func extend(agent: String, attempt: Int, now: Double, leaseSeconds: Double) {
        guard case .running(var list) = state, let i = list.firstIndex(where: { $0.agent == agent && $0.attempt == attempt }) else { return }
        list[i].deadline = max(list[i].deadline, now + leaseSeconds)
        state = .running(list)
    }

    /// Drops leases past their deadline; returns them. The segment is pending again when none is left.
    public mutating func checkExpiry(now: Double) -> [Lease] {
        guard case .running(let list) = state else { return [] }
        let expired = list.filter { now > $0.deadline }
        guard !expired.isEmpty else { return [] }
        setLeases(list.filter { now <= $0.deadline })
        return expired
    }

    /// The agent disconnected or handed its work back. True when the segment became pending.
    public mutating func agentLost(_ agent: String) -> Bool {
        guard case .running(let list) = state, list.contains(where: { $0.agent == agent }) else { return false }
        setLeases(list.filter { $0.agent != agent })
        return isPending
    }

    public func decideResult(agent: String, attempt: Int) -> ResultDecision {
        if isDone { return .reject("segment already done") }
        if case .failed = state { return .reject("segment already failed") }
        guard grants[attempt] == agent else { return .reject("attempt \(attempt) was never leased to this agent") }
        return .accept
    }

    /// Marks the segment done; returns the other leases still running (their results will be ignored).
    @discardableResult
    public mutating func accept(agent: String, attempt: Int) -> [Lease] {
        let others = leases.filter { $0.attempt != attempt }
        state = .done(agent: agent, attempt: attempt)
        return others
    }

    /// The attempt failed on the agent, or its result turned out wrong (frame count, timestamps).
    public mutating func failure(agent: String, attempt: Int, message: String, permanent: Bool) -> FailureDecision {
        guard grants[attempt] == agent, !isDone, !failedAttempts.contains(attempt) else { return .ignore }
        if case .failed = state { return .ignore }
        failedAttempts.insert(attempt)
        failedAgents.insert(agent)
        failures += 1
        if permanent || failedAgents.count >= Self.maxDistinctAgentFailures || failures >= Self.maxFailures {
            state = .failed(message)
            return .failJob(message)
        }
        guard case .running(let list) = state else { return .requeue }
        setLeases(list.filter { $0.attempt != attempt })
        return isPending ? .requeue : .keepRunning
    }

    /// The job was cancelled or failed elsewhere: nothing more happens to this segment.
    public mutating func abandon(_ why: String) {
        if !isDone { state = .failed(why) }
    }

    private mutating func setLeases(_ list: [Lease]) {
        if list.isEmpty {
            state = .pending
            requeues += 1
        } else {
            state = .running(list)
        }
    }
}
