import Foundation
import GopfarmCommon

/// The dispatcher's state of one job: a state machine per segment, the results so far, and
/// indexes that keep picking the next segment O(1) however long the job.
///
/// A class, owned by the dispatcher's loop thread only: as a struct in a dictionary, every
/// read-modify-write copied the whole segment array (copy-on-write), which made each
/// assignment O(segments) and capped the control plane at ~400 segments/s on a 10,000-segment job.
final class JobRuntime {
    /// An agent that fails this many segments of a job gets no more of them.
    static let blocklistAfterFailures = 3

    let job: DispatchJob
    let sequence: Int
    var segments: [SegmentStateMachine]
    private(set) var completed: [Int: CompletedSegment] = [:]
    /// Frames in `completed`, kept as results arrive (the snapshot reads it ten times a second).
    private(set) var framesCompleted = 0
    var extractor: SegmentExtractor?
    /// Never-assigned segments start here; requeued ones wait in `requeued`.
    private var cursor = 0
    private var requeued: Set<Int> = []
    /// Segments with at least one lease.
    var running: Set<Int> = []
    var failuresByAgent: [String: Int] = [:]
    /// Wall seconds from lease to result of completed segments (straggler detection).
    private var durations: [Double] = []
    private var medianCache: Double?
    var requeues = 0

    init(job: DispatchJob, sequence: Int, restored: [Int: CompletedSegment]) {
        self.job = job
        self.sequence = sequence
        segments = (0..<job.plan.segments.count).map { n in
            restored[n].map { SegmentStateMachine.restoredDone(agent: $0.agent, attempt: $0.result.attempt) } ?? SegmentStateMachine()
        }
        completed = restored
        framesCompleted = restored.values.reduce(0) { $0 + $1.result.frames }
    }

    /// Records a valid result and how long it took from lease to result.
    func complete(_ n: Int, with segment: CompletedSegment, seconds: Double) {
        completed[n] = segment
        framesCompleted += segment.result.frames
        running.remove(n)
        durations.append(seconds)
        medianCache = nil
    }

    var id: String { job.id }
    var isComplete: Bool { completed.count == segments.count }

    var hasPending: Bool {
        !requeued.isEmpty || segments[cursor...].contains(where: \.isPending)
    }

    var pendingCount: Int { requeued.count + segments[cursor...].count { $0.isPending } }

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
    }

    /// The median segment time; sorted once per new result, not on every idle slot's look.
    var typicalSegmentSeconds: Double? {
        guard !durations.isEmpty else { return nil }
        if medianCache == nil { medianCache = durations.sorted()[durations.count / 2] }
        return medianCache
    }
}
