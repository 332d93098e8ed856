/// The lifecycle of one segment as a pure value: events in, decisions out; the dispatcher does
/// the I/O a decision names. pending → running (one lease, or two while a straggler is re-run
/// speculatively) → done, with requeues on expiry or failure, and `failed` once a failure shows
/// that running it again cannot help (see `failure`).
///
/// A lease lives as long as its agent makes progress: each heartbeat reports the frames done,
/// and a lease whose count has not grown for the job's stall bound is taken back (`stalled`,
/// then `failure`), whether or not its agent still heartbeats.
public struct SegmentStateMachine: Sendable, Equatable {
    public struct Lease: Sendable, Equatable {
        public var agent: String
        public var attempt: Int
        public var started: Double
        /// Frames the agent reported done on this attempt, and when that count last grew
        /// (the assignment counts as progress: the bound starts there).
        public var frames = 0
        /// The agent's steps of work on it (`AgentHeartbeat.Progress.activity`): growth counts
        /// as progress too.
        public var activity = 0
        public var progressed: Double
        /// Its agent last reported it queued behind running work (prefetched, not started).
        public var queued = false

        public init(agent: String, attempt: Int, started: Double) {
            self.agent = agent
            self.attempt = attempt
            self.started = started
            progressed = started
        }
    }

    public enum State: Sendable, Equatable {
        case pending
        case running([Lease])
        case done(agent: String, attempt: Int)
        case failed(String)
    }

    /// What a failure says about the segment, which decides whether another try can help.
    public enum FailureKind: Sendable, Equatable {
        /// May pass elsewhere or later: a crash, a damaged transfer, an encoder error, a stall.
        case transient
        /// The result differs from the plan (frame count, timestamps). The same difference twice
        /// is the file, not the agent.
        case mismatch
        /// A decode or range error on the agent: every agent decodes the same bytes the same way.
        case deterministic
        /// Bad options, a missing encoder: nothing to retry.
        case permanent
    }

    /// Why a segment ended the job; `JobRuntime` turns it into the sentence the user reads.
    public struct FailureCause: Sendable, Equatable {
        public var kind: FailureKind
        public var message: String
        /// Distinct agents the segment failed on.
        public var agents: Int
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
        case failJob(FailureCause)
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
    /// Attempts 1…this were leased by an earlier run of the coordinator (a resumed job).
    public private(set) var earlierAttempts = 0
    /// Each distinct failure message with the agents it came from (two agents saying the same
    /// thing is a property of the segment).
    private var seen: [String: Set<String>] = [:]

    public init() {}

    /// A segment of a resumed job that is not done: new attempts are numbered after the
    /// `attempts` an earlier run leased (their records stay apart; a result of one of those
    /// may still be adopted).
    public static func resumed(attempts: Int) -> SegmentStateMachine {
        var s = SegmentStateMachine()
        s.attempts = max(0, attempts)
        s.earlierAttempts = s.attempts
        return s
    }

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
    public mutating func assign(to agent: String, now: Double) -> Int {
        precondition(isPending || (leases.count > 0 && !leases.contains { $0.agent == agent }), "assign from \(state)")
        attempts += 1
        grants[attempts] = agent
        state = .running(leases + [Lease(agent: agent, attempt: attempts, started: now)])
        return attempts
    }

    /// Work an agent reports in flight that this state machine never leased (the coordinator
    /// restarted while the agent encoded it): taken as that attempt's lease while the segment
    /// waits for one, so its result counts instead of the segment being encoded again. Refused
    /// when the segment is leased or done, or the attempt is another agent's or already failed.
    public mutating func adopt(agent: String, attempt: Int, frames: Int, now: Double) -> Bool {
        guard mayAdopt(agent: agent, attempt: attempt) else { return false }
        attempts = max(attempts, attempt)
        grants[attempt] = agent
        var lease = Lease(agent: agent, attempt: attempt, started: now)
        lease.frames = max(0, frames)
        state = .running([lease])
        return true
    }

    /// Whether `adopt` would take this attempt of this agent.
    public func mayAdopt(agent: String, attempt: Int) -> Bool {
        isPending && attempt > 0 && (grants[attempt] == nil || grants[attempt] == agent) && !failedAttempts.contains(attempt)
    }

    /// A finished result of an attempt the earlier run leased, arriving after this run leased
    /// the segment again (the agent came back after the job resumed, or asked for work before
    /// it re-sent its results): taken as one more lease, so the result wins over encoding the
    /// segment a second time (the new leases then lose, as a speculative copy does).
    public mutating func adoptEarlierResult(agent: String, attempt: Int, now: Double) -> Bool {
        guard mayAdoptEarlierResult(agent: agent, attempt: attempt) else { return false }
        grants[attempt] = agent
        state = .running(leases + [Lease(agent: agent, attempt: attempt, started: now)])
        return true
    }

    public func mayAdoptEarlierResult(agent: String, attempt: Int) -> Bool {
        !leases.isEmpty && attempt > 0 && attempt <= earlierAttempts && grants[attempt] == nil && !failedAttempts.contains(attempt)
    }

    /// A heartbeat reported `frames` done on this attempt. Only a larger count than before is
    /// progress: an agent repeating the same number is alive but stuck. True when it grew.
    @discardableResult
    public mutating func progress(agent: String, attempt: Int, frames: Int, activity: Int? = nil, now: Double) -> Bool {
        guard case .running(var list) = state, let i = list.firstIndex(where: { $0.agent == agent && $0.attempt == attempt }) else { return false }
        list[i].queued = false
        let busier = activity.map { $0 > list[i].activity } ?? false
        if let activity { list[i].activity = max(list[i].activity, activity) }
        guard frames > list[i].frames || busier else {
            state = .running(list)
            return false
        }
        list[i].frames = max(list[i].frames, frames)
        list[i].progressed = now
        state = .running(list)
        return true
    }

    /// The agent's lease has not reached it yet, and the link to it is busy carrying a segment's
    /// input (its own, or one sent before it): bytes arriving are its progress, so its stall
    /// clock starts over. A lease that has reported frames is past its input and keeps its clock.
    public mutating func arriving(agent: String, now: Double) {
        guard case .running(var list) = state, let i = list.firstIndex(where: { $0.agent == agent }),
              list[i].frames == 0, list[i].activity == 0 else { return }
        list[i].progressed = now
        state = .running(list)
    }

    /// The agent holds this attempt queued behind its running segments (prefetch): it has not
    /// started, so its clocks (stall bound, straggler age) start over from now.
    public mutating func queued(agent: String, attempt: Int, now: Double) {
        guard case .running(var list) = state, let i = list.firstIndex(where: { $0.agent == agent && $0.attempt == attempt }),
              list[i].frames == 0 else { return }
        list[i].started = now
        list[i].progressed = now
        list[i].queued = true
        state = .running(list)
    }

    /// Its only lease waits queued on an agent: an idle agent may take it over (`moved`).
    public var waitsQueued: Bool {
        guard case .running(let list) = state, list.count == 1 else { return false }
        return list[0].queued
    }

    /// Leases that made no progress for more than `stallSeconds`. The caller reports each as a
    /// failure (`failure(…, kind: .transient)`), which takes it back.
    public func stalled(now: Double, stallSeconds: Double) -> [Lease] {
        leases.filter { now - $0.progressed > stallSeconds }
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

    /// The attempt failed on the agent, or its result turned out wrong. The job fails at once
    /// when another try cannot help: a permanent or deterministic error, the same wrong result
    /// twice, the same failure on two agents; otherwise after `maxDistinctAgentFailures` agents
    /// or `maxFailures` failures in all (poison). Else the segment runs again.
    public mutating func failure(agent: String, attempt: Int, message: String, kind: FailureKind) -> FailureDecision {
        guard grants[attempt] == agent, !isDone, !failedAttempts.contains(attempt) else { return .ignore }
        if case .failed = state { return .ignore }
        failedAttempts.insert(attempt)
        failedAgents.insert(agent)
        failures += 1
        let before = seen[message, default: []]
        seen[message, default: []].insert(agent)
        let repeated = switch kind {
        case .mismatch: !before.isEmpty
        case .transient: !before.subtracting([agent]).isEmpty
        case .deterministic, .permanent: true
        }
        if repeated || failedAgents.count >= Self.maxDistinctAgentFailures || failures >= Self.maxFailures {
            state = .failed(message)
            return .failJob(FailureCause(kind: repeated ? kind : .transient, message: message, agents: failedAgents.count))
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
