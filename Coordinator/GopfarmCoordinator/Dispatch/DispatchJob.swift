import Foundation
import GopfarmCommon

/// What the dispatcher hands out: one job's plan and encoding settings, and how it ranks
/// against other jobs.
public struct DispatchJob: Sendable {
    public var id: String
    public var plan: SegmentPlan
    public var settings: EncodeSettings
    public var frameRate: Rational
    /// Where accepted segment payloads are written, named by their SHA-256.
    public var spool: URL
    public var priority: JobPriority
    /// The producer who submitted it: free slots are shared fairly between owners.
    public var owner: String
    /// Analyze frames on the agents (nil: encode only), and whether to encode at all.
    public var analysis: AnalysisSettings?
    public var mode: SegmentMode
    /// The source's start time in seconds: times in messages count from it, as a player shows them.
    public var startSeconds: Double
    /// At most this many agents hold its segments at once (nil: no limit).
    public var maxAgents: Int?
    /// A resumed job: per segment, the highest attempt an earlier run leased (new attempts
    /// are numbered after it).
    public var priorAttempts: [Int: Int] = [:]
    /// Cuts a segment of the plan in two (nil: its segments are handed out as planned). See
    /// `DispatchSplitter`.
    public var splitter: DispatchSplitter?

    public init(id: String, plan: SegmentPlan, settings: EncodeSettings, frameRate: Rational, spool: URL,
                priority: JobPriority = .normal, owner: String = "local", analysis: AnalysisSettings? = nil, mode: SegmentMode = .encode,
                startSeconds: Double = 0, maxAgents: Int? = nil) {
        self.id = id
        self.plan = plan
        self.settings = settings
        self.frameRate = frameRate
        self.spool = spool
        self.priority = priority
        self.owner = owner
        self.analysis = analysis
        self.mode = mode
        self.startSeconds = startSeconds
        self.maxAgents = maxAgents
    }
}

/// Timing knobs of the dispatcher (tests shorten them).
public struct DispatchTiming: Sendable {
    public var heartbeatMilliseconds = 1000
    /// An agent silent for this long is gone and its leases are requeued.
    public var agentTimeoutSeconds = 4.0
    /// A lease whose agent reports no new frame for this long (the floor; see `stallFactor`) is
    /// taken back and the segment runs elsewhere, even if the agent keeps heartbeating.
    public var leaseSeconds = 30.0
    /// …or for `stallFactor` × the segment's frames × the job's measured seconds per frame, when
    /// that is longer: a long or slow segment gets time in proportion to its cost.
    public var stallFactor = 2.0
    /// Stragglers: a segment running `speculateFactor` times longer than its expected time (its
    /// frames × the job's measured seconds per frame, from results or heartbeat progress) and at
    /// least `speculateAfterSeconds` is re-run on an idle slot; the first result wins. Before any
    /// frame of the job was reported, `speculateFactor × speculateAfterSeconds` is the bound.
    public var speculateFactor = 2.0
    public var speculateAfterSeconds = 10.0
    /// How often silent agents and stalled leases are looked for (the simulator of a
    /// 1,000-agent farm looks once a second).
    public var expirySeconds = 0.1
    /// A restarted coordinator asks agents to wait with their hello while it resumes its
    /// unfinished jobs (`DispatchInput.resuming`), at most this long.
    public var resumeGraceSeconds = 30.0
    public init() {}
}

/// A finished segment: its result message, where its payload is spooled, who made it and when.
public struct CompletedSegment: Sendable {
    public var result: SegmentResult
    public var path: URL
    public var agent: String
    /// Wall-clock times of the accepted attempt's lease and result, when known.
    public var leasedAt: Date?
    public var finishedAt: Date?

    public init(result: SegmentResult, path: URL, agent: String, leasedAt: Date? = nil, finishedAt: Date? = nil) {
        self.result = result
        self.path = path
        self.agent = agent
        self.leasedAt = leasedAt
        self.finishedAt = finishedAt
    }

    /// The spooled `SegmentAnalysis` (JSON), next to the payload and named by its SHA-256.
    public var analysisPath: URL? {
        result.analysisSHA256.map { Self.analysisURL(spool: path.deletingLastPathComponent(), sha256: $0) }
    }

    static func analysisURL(spool: URL, sha256: String) -> URL {
        spool.appendingPathComponent("\(sha256).gfa")
    }
}

public enum DispatchOutcome: Sendable {
    /// Every segment, in order, and the plan they were cut by (the job's, with the dispatcher's
    /// splits: see `DispatchSplitter`).
    case completed([CompletedSegment], plan: SegmentPlan)
    case failed(String)
    case cancelled
}

/// A snapshot of one job for progress bars and reports.
public struct DispatchProgress: Sendable {
    public var segmentsDone = 0
    public var segmentsTotal = 0
    public var framesDone = 0
    public var framesTotal = 0
    /// Agents working on this job now.
    public var agents = 0
    public var requeues = 0
    /// What the job is for where it is one step of a larger one (`--ladder auto`'s probe
    /// encodes before the ladder itself); nil for the job itself.
    public var phase: String?
    public init() {}
}
