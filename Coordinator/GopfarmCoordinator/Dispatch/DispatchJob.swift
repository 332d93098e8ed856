import Foundation
import GopfarmCommon

/// What the dispatcher hands out: one job's plan and encoding settings.
public struct DispatchJob: Sendable {
    public var id: String
    public var plan: SegmentPlan
    public var settings: EncodeSettings
    public var frameRate: Rational
    /// Where accepted segment payloads are written, named by their SHA-256.
    public var spool: URL

    public init(id: String, plan: SegmentPlan, settings: EncodeSettings, frameRate: Rational, spool: URL) {
        self.id = id
        self.plan = plan
        self.settings = settings
        self.frameRate = frameRate
        self.spool = spool
    }
}

/// Timing knobs of the dispatcher (tests shorten them).
public struct DispatchTiming: Sendable {
    public var heartbeatMilliseconds = 1000
    /// An agent silent for this long is gone and its leases are requeued.
    public var agentTimeoutSeconds = 4.0
    /// A lease not extended by a heartbeat for this long expires.
    public var leaseSeconds = 30.0
    public init() {}
}

/// A finished segment: its result message and where its payload is spooled.
public struct CompletedSegment: Sendable {
    public var result: SegmentResult
    public var path: URL
    public var agent: String
}

public enum DispatchOutcome: Sendable {
    case completed([CompletedSegment])
    case failed(String)
}

/// A snapshot for progress bars and reports.
public struct DispatchProgress: Sendable {
    public var segmentsDone = 0
    public var segmentsTotal = 0
    public var framesDone = 0
    public var framesTotal = 0
    public var agents = 0
    public var requeues = 0
}
