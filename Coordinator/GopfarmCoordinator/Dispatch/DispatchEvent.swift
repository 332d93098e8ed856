import Foundation
import GopfarmCommon

/// What happened in one turn of the dispatcher loop, for the job store to persist.
public enum DispatchEvent: Sendable {
    /// `extractSeconds`: cutting the segment out of the input; `sentBytes`: its payload.
    case assigned(job: String, segment: Int, attempt: Int, agent: String, speculative: Bool, extractSeconds: Double, sentBytes: Int)
    case completed(job: String, segment: CompletedSegment, seconds: Double)
    case requeued(job: String, segment: Int, reason: String)
    /// A segment no one started was cut in two (`DispatchSplitter`): `parts` are the plan's
    /// segments `split.segment` and `split.segment + 1` now; later ones moved up one index.
    case split(job: String, PlanSplit, parts: [PlannedSegment])
    /// A prefetched attempt that had not started was taken from its agent for an idle one.
    case moved(job: String, segment: Int, attempt: Int, from: String)
    case segmentFailed(job: String, segment: Int, attempt: Int, agent: String, message: String)
    case jobFinished(job: String, outcome: DispatchOutcome)
    case agentJoined(AgentStatus)
    case agentLeft(name: String, reason: String)
}

/// Receives the dispatcher's events, in order, once per loop turn on the dispatcher's thread.
/// The service's job store implements it: a `completed` event is durable once `record` returns,
/// so a restarted coordinator never encodes that segment again.
public protocol DispatchRecorder: Sendable {
    func record(_ events: [DispatchEvent])
}

/// Keeps nothing (one-shot `transcode` runs).
public struct DiscardingRecorder: DispatchRecorder {
    public init() {}
    public func record(_ events: [DispatchEvent]) {}
}
