import Foundation
import GopfarmCommon

/// The dispatcher's state of one job: a state machine per segment, the results so far, and
/// indexes that keep picking the next segment O(1) however long the job. It also holds the
/// job's failure rules: what a segment failure does to the job, when a silent lease is taken
/// back, and when no connected agent can run the job any more. No I/O: the dispatcher does
/// what the returned decisions name, and the rules are tested as plain sequences.
///
/// A class, owned by the dispatcher's loop thread only: as a struct in a dictionary, every
/// read-modify-write copied the whole segment array (copy-on-write), which made each
/// assignment O(segments) and capped the control plane at ~400 segments/s on a 10,000-segment job.
final class JobRuntime {
    /// An agent that fails this many segments of a job gets no more of them.
    static let blocklistAfterFailures = 3
    /// The message of a lease taken back for lack of progress: one text, so the same stall on
    /// two agents counts as the same failure.
    static let stallMessage = "no progress within the time allowed"

    /// Its plan changes when a segment is split (`split`).
    private(set) var job: DispatchJob
    let sequence: Int
    var segments: [SegmentStateMachine]
    private(set) var completed: [Int: CompletedSegment] = [:]
    /// Frames in `completed`, kept as results arrive (the snapshot reads it ten times a second).
    private(set) var framesCompleted = 0
    /// Never-assigned segments start here; requeued ones wait in `requeued`.
    private var cursor = 0
    /// The highest segment leased by adoption (`adopt`), which may lie beyond the cursor.
    private var lastAdopted = -1
    private var requeued: Set<Int> = []
    /// Segments with at least one lease.
    var running: Set<Int> = []
    var failuresByAgent: [String: Int] = [:]
    /// The last failure of each agent on this job (said when no agent is left).
    private var lastFailureByAgent: [String: String] = [:]
    /// Lease-to-result wall seconds and frames of completed segments (the per-frame cost).
    private var completedSeconds = 0.0
    private var completedFrames = 0
    var requeues = 0
    /// Segments from here on were never done in an earlier run (restored ones lie before).
    private let tailStart: Int
    /// Frames of the segments no lease has taken yet (the work left that no one started).
    private var framesNotLeased = 0

    init(job: DispatchJob, sequence: Int, restored: [Int: CompletedSegment]) {
        self.job = job
        self.sequence = sequence
        segments = (0..<job.plan.segments.count).map { n in
            restored[n].map { SegmentStateMachine.restoredDone(agent: $0.agent, attempt: $0.result.attempt) }
                ?? SegmentStateMachine.resumed(attempts: job.priorAttempts[n] ?? 0)
        }
        completed = restored
        framesCompleted = restored.values.reduce(0) { $0 + $1.result.frames }
        tailStart = (restored.keys.max() ?? -1) + 1
        framesNotLeased = job.plan.segments.filter { restored[$0.index] == nil }.reduce(0) { $0 + $1.expectedFrames }
    }

    /// Records a valid result and how long it took from lease to result.
    func complete(_ n: Int, with segment: CompletedSegment, seconds: Double) {
        completed[n] = segment
        framesCompleted += segment.result.frames
        running.remove(n)
        // A late result of a requeued attempt (an agent back after a cut) completes a segment
        // waiting in `requeued`: it must not be handed out again (found by seed 0 of the
        // dispatch chaos tests; it crashed the coordinator).
        requeued.remove(n)
        if segment.result.frames > 0 {
            completedSeconds += seconds
            completedFrames += segment.result.frames
        }
    }

    var id: String { job.id }
    var isComplete: Bool { completed.count == segments.count }

    /// Amortized O(1): the cursor only moves forward, and a segment behind it that becomes
    /// pending again is in `requeued`.
    var hasPending: Bool { nextPending() != nil }

    var pendingCount: Int { requeued.count + segments.indices[cursor...].count { segments[$0].isPending && !requeued.contains($0) } }

    func isBlocklisted(_ agentName: String) -> Bool {
        failuresByAgent[agentName, default: 0] >= Self.blocklistAfterFailures
    }

    /// The lowest pending segment, without taking it.
    func nextPending() -> Int? {
        if let n = requeued.min() { return n }
        while cursor < segments.count, !segments[cursor].isPending { cursor += 1 }
        return cursor < segments.count ? cursor : nil
    }

    func markRequeued(_ n: Int) {
        requeues += 1
        running.remove(n)
        requeued.insert(n)
    }

    func markLeased(_ n: Int) {
        requeued.remove(n)
        running.insert(n)
        if segments[n].attempts == 1 { framesNotLeased -= job.plan.segments[n].expectedFrames }
    }

    /// Leases segment `n` to the agent that reports it in flight without a lease from this
    /// coordinator (`SegmentStateMachine.adopt`); true when it did.
    func adopt(_ n: Int, agent: String, attempt: Int, frames: Int, now: Double) -> Bool {
        guard segments.indices.contains(n) else { return false }
        let firstLease = segments[n].attempts == 0
        guard segments[n].adopt(agent: agent, attempt: attempt, frames: frames, now: now) else { return false }
        requeued.remove(n)
        running.insert(n)
        if firstLease { framesNotLeased -= job.plan.segments[n].expectedFrames }
        lastAdopted = max(lastAdopted, n)
        return true
    }

    /// Whether `split` could cut segment `n` with at most `slotsAtMost` slots: a cheap bound (the
    /// work not yet handed out alone, over the most slots there can be) before the real count.
    func mightSplit(_ n: Int, slotsAtMost: Int) -> Bool {
        // Never before an adopted segment: a cut moves the later indices, and that one was
        // started (and may be done) behind the cursor.
        guard job.splitter != nil, n >= tailStart, n == cursor, n > lastAdopted, segments[n].attempts == 0, segments[n].isPending else { return false }
        return Double(job.plan.segments[n].expectedFrames) > DispatchSplitter.tolerance * Double(framesNotLeased) / Double(max(1, slotsAtMost))
    }

    /// Cuts segment `n`, about to be handed out for the first time, when it is longer than its
    /// share of the work left on `slots` slots (`DispatchSplitter`): the plan gets the two parts
    /// as `n` and `n + 1`, later segments move up one. Only a segment no one started and with
    /// none started after it is cut, so no lease, result or requeue refers to a moved index.
    func split(_ n: Int, slots: Int) -> PlanSplit? {
        guard let splitter = job.splitter, mightSplit(n, slotsAtMost: slots) else { return nil }
        var left = framesNotLeased
        for r in running {
            left += max(0, job.plan.segments[r].expectedFrames - (segments[r].leases.map(\.frames).max() ?? 0))
        }
        guard let first = splitter.split(frames: job.plan.segments[n].expectedFrames, share: left / max(1, slots)) else { return nil }
        let split = PlanSplit(segment: n, frames: first)
        guard let plan = splitter.cut(job.plan, split), plan.segments.count == job.plan.segments.count + 1 else { return nil }
        job.plan = plan
        segments.insert(SegmentStateMachine(), at: n + 1)
        return split
    }

    // MARK: - Cost and leases

    /// Wall seconds one lease spends per frame of this job: from completed segments, else from
    /// the progress running leases reported (so the first segments need no completed one); nil
    /// before any frame was reported.
    var secondsPerFrame: Double? {
        if completedFrames > 0 { return completedSeconds / Double(completedFrames) }
        var seconds = 0.0, frames = 0
        for n in running {
            for lease in segments[n].leases where lease.frames > 0 {
                seconds += lease.progressed - lease.started
                frames += lease.frames
            }
        }
        return frames > 0 ? seconds / Double(frames) : nil
    }

    /// How long a lease of segment `n` may go without a new frame before it is taken back:
    /// `max(leaseSeconds, stallFactor × the segment's frames × secondsPerFrame)`, so a long or
    /// slow segment gets time in proportion to what it costs on this job.
    func stallSeconds(_ n: Int, secondsPerFrame: Double?, timing: DispatchTiming) -> Double {
        let expected = secondsPerFrame.map { $0 * Double(job.plan.segments[n].expectedFrames) } ?? 0
        return max(timing.leaseSeconds, timing.stallFactor * expected)
    }

    /// Heartbeat progress of one attempt.
    func progress(_ n: Int, agent: String, attempt: Int, frames: Int, activity: Int? = nil, now: Double) {
        guard segments.indices.contains(n) else { return }
        segments[n].progress(agent: agent, attempt: attempt, frames: frames, activity: activity, now: now)
    }

    /// The input of this agent's lease of segment `n` is still arriving (`SegmentStateMachine.arriving`).
    func arriving(_ n: Int, agent: String, now: Double) {
        guard segments.indices.contains(n) else { return }
        segments[n].arriving(agent: agent, now: now)
    }

    func queued(_ n: Int, agent: String, attempt: Int, now: Double) {
        guard segments.indices.contains(n) else { return }
        segments[n].queued(agent: agent, attempt: attempt, now: now)
    }

    /// Leases with no progress within their bound: each is a failure of its attempt (so a
    /// segment that stalls everywhere ends the job like any other failing segment).
    func stalledLeases(now: Double, timing: DispatchTiming) -> [(segment: Int, lease: SegmentStateMachine.Lease, bound: Double)] {
        let perFrame = secondsPerFrame
        var out: [(segment: Int, lease: SegmentStateMachine.Lease, bound: Double)] = []
        for n in running.sorted() {
            let bound = stallSeconds(n, secondsPerFrame: perFrame, timing: timing)
            for lease in segments[n].stalled(now: now, stallSeconds: bound) { out.append((n, lease, bound)) }
        }
        return out
    }

    // MARK: - Failures

    enum FailureOutcome: Equatable {
        case requeue
        case keepRunning
        case ignore
        /// The job fails with this sentence.
        case failJob(String)
    }

    /// A failed attempt of segment `n` (from the agent, from result validation, or a stall):
    /// the segment's state machine decides; the agent's failures on this job are counted
    /// (blocklist); a failing job gets a sentence in the producer's terms.
    func segmentFailed(_ n: Int, agentKey: String, agentName: String, attempt: Int, message: String,
                       kind: SegmentStateMachine.FailureKind) -> FailureOutcome {
        guard segments.indices.contains(n) else { return .ignore }
        let decision = segments[n].failure(agent: agentKey, attempt: attempt, message: message, kind: kind)
        if decision != .ignore {
            failuresByAgent[agentName, default: 0] += 1
            lastFailureByAgent[agentName] = message
        }
        switch decision {
        case .ignore: return .ignore
        case .keepRunning: return .keepRunning
        case .requeue:
            markRequeued(n)
            return .requeue
        case .failJob(let cause):
            return .failJob(sentence(for: n, cause: cause))
        }
    }

    /// Agents as the usability rule sees them.
    struct AgentView: Equatable {
        var name: String
        /// Every slot is held by work that was taken back for lack of progress (the agent is
        /// connected but cannot take anything).
        var stuck: Bool
        /// The encoders the agent said it has (its hello).
        var encoders: [String]
    }

    /// Whether an agent with these encoders can run this job's segments (an analysis-only job
    /// needs none). A benchmark agent's `instant` worker answers any codec.
    func canRun(with encoders: [String]) -> Bool {
        job.mode == .analyze || encoders.contains(AgentHello.instantEncoder) || job.settings.encodersNeeded.isSubset(of: encoders)
    }

    /// Nil while the job can go on; else why it cannot: it has work waiting and every connected
    /// agent lacks an encoder it needs, is blocklisted for it or is stuck. With no agent
    /// connected at all it waits (agents may join; local ones are restarted).
    func whyNoAgentCanRun(connected: [AgentView]) -> String? {
        guard !connected.isEmpty, hasPending,
              connected.allSatisfy({ !canRun(with: $0.encoders) || isBlocklisted($0.name) || $0.stuck }) else { return nil }
        let lacking = connected.filter { !canRun(with: $0.encoders) }
        let able = connected.filter { canRun(with: $0.encoders) }
        let blocked = able.filter { isBlocklisted($0.name) }
        let stuck = able.filter { !isBlocklisted($0.name) && $0.stuck }
        var parts: [String] = []
        if !lacking.isEmpty {
            let needed = job.settings.encodersNeeded.sorted().joined(separator: " and ")
            parts.append("\(Self.list(lacking.map(\.name).sorted())) \(lacking.count == 1 ? "has" : "have") no \(needed) encoder (its FFmpeg was built without it)")
        }
        if !blocked.isEmpty {
            let names = blocked.map(\.name).sorted()
            let last = names.compactMap { lastFailureByAgent[$0] }.last.map { " (the last: \(Self.clause($0)))" } ?? ""
            parts.append("\(Self.list(names)) failed \(Self.blocklistAfterFailures) segments of this job each\(last)")
        }
        if !stuck.isEmpty {
            parts.append("\(Self.list(stuck.map(\.name).sorted())) \(stuck.count == 1 ? "is" : "are") stuck on work that made no progress")
        }
        return "no agent can run this job: " + parts.joined(separator: ", and ")
    }

    // MARK: - Sentences

    /// Source frame numbers (1-based, counting frames before the first key frame too) of
    /// segment `n`'s first and last frame.
    func frameRange(_ n: Int) -> ClosedRange<Int> {
        let plan = job.plan
        let before = plan.skippedLeadingFrames + plan.segments[..<n].reduce(0) { $0 + $1.expectedFrames }
        return (before + 1)...(before + max(1, plan.segments[n].expectedFrames))
    }

    /// Where segment `n` starts in the source, as a player shows it.
    func startTime(_ n: Int) -> String {
        let seconds = MediaTime(job.plan.segments[n].firstPTS, job.plan.timeBase).seconds - job.startSeconds
        return Self.clock(seconds)
    }

    /// One sentence for a segment that ended the job, in frame numbers and a time.
    func sentence(for n: Int, cause: SegmentStateMachine.FailureCause) -> String {
        let range = frameRange(n)
        let frames = range.count == 1 ? "frame \(range.lowerBound)" : "frames \(range.lowerBound)-\(range.upperBound)"
        switch cause.kind {
        case .deterministic:
            // What the agent found goes with it: "damaged" alone hid a cause a user can act on
            // (QA: timestamps that go back, from a remux that wrote decode times as presentation).
            return "\(frames) cannot be decoded: the stream is damaged at \(startTime(n)) (\(Self.clause(cause.message)))"
        case .mismatch:
            // The same result, twice, that disagrees with the probe's count: damage the probe
            // could not see, or a bug; the numbers tell which, so they are said.
            return "\(frames) (from \(startTime(n))) do not decode as the plan counted them: \(Self.clause(cause.message))"
        case .permanent:
            return cause.message
        case .transient:
            let agents = cause.agents == 1 ? "its agent" : "\(cause.agents) agents"
            return "\(frames) (from \(startTime(n))) failed on \(agents): \(Self.clause(cause.message))"
        }
    }

    /// h:mm:ss.d
    static func clock(_ seconds: Double) -> String {
        // Damaged timestamps can put a segment anywhere: clamp to a year
        // (Int conversion of an absurd Double would trap) and format with Swift, not %d.
        let tenths = Int((min(max(0, seconds.isFinite ? seconds : 0), 86_400 * 365) * 10).rounded(.down))
        let s = tenths / 10
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(s / 3600):\(two(s / 60 % 60)):\(two(s % 60)).\(tenths % 10)"
    }

    /// A message used inside a sentence: one line, no final full stop.
    static func clause(_ message: String) -> String {
        var text = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        while text.hasSuffix(".") { text.removeLast() }
        return String(text.prefix(300))
    }

    static func list(_ names: [String]) -> String {
        switch names.count {
        case 0: ""
        case 1: names[0]
        default: names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
    }
}
