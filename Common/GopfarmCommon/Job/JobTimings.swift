import Foundation

/// Where a job's time went, as recorded in the job store (`gopfarm status ID --json`,
/// `GET /v1/jobs/{id}` under `timings`) and read by `gopfarm bench`: the coordinator's phases
/// and every attempt of every segment. Seconds; moments count from the job's submission.
public struct JobTimings: Codable, Sendable, Equatable {
    /// Reading the input's packet index (the probe) and cutting it into segments (the plan).
    public var probeSeconds: Double?
    public var planSeconds: Double?
    /// When the dispatcher got the job, and when its last segment was accepted.
    public var dispatchStart: Double?
    public var dispatchEnd: Double?
    /// Writing the output: video segments and audio (copied or re-encoded) in one pass.
    public var stitchSeconds: Double?
    /// Merging the segments' content analyses (scenes, thumbnails), after the stitch.
    public var analysisSeconds: Double?
    /// Segment slots the planner counted on when it chose the segment count.
    public var plannedSlots: Int?
    /// Segments the dispatcher cut in two while the job ran, in order (`PlanSplit`).
    public var planSplits: [PlanSplit]?
    public var attempts: [SegmentAttemptTiming]

    public init(probeSeconds: Double? = nil, planSeconds: Double? = nil, dispatchStart: Double? = nil, dispatchEnd: Double? = nil,
                stitchSeconds: Double? = nil, analysisSeconds: Double? = nil, plannedSlots: Int? = nil,
                attempts: [SegmentAttemptTiming] = []) {
        self.probeSeconds = probeSeconds
        self.planSeconds = planSeconds
        self.dispatchStart = dispatchStart
        self.dispatchEnd = dispatchEnd
        self.stitchSeconds = stitchSeconds
        self.analysisSeconds = analysisSeconds
        self.plannedSlots = plannedSlots
        self.attempts = attempts
    }
}

/// One attempt at one segment: who ran it, when, and what it cost on the link and on the agent.
public struct SegmentAttemptTiming: Codable, Sendable, Equatable {
    public var segment: Int
    public var attempt: Int
    public var agent: String
    public var speculative: Bool
    /// done, failed, requeued (its agent went away), superseded (a faster copy won), moved (it
    /// waited prefetched on a busy agent and went to an idle one), or nil while it runs.
    public var outcome: String?
    /// Assigned and ended, in seconds since the job's submission.
    public var assigned: Double
    public var ended: Double?
    /// Cutting the segment out of the input on the coordinator (the split), and the bytes sent.
    public var extractSeconds: Double
    public var sentBytes: Int
    /// The encoded result's bytes, and the agent's own decode, encode and analysis seconds.
    public var returnedBytes: Int?
    public var decodeSeconds: Double?
    public var encodeSeconds: Double?
    public var analysisSeconds: Double?

    public init(segment: Int, attempt: Int, agent: String, speculative: Bool, outcome: String? = nil, assigned: Double,
                ended: Double? = nil, extractSeconds: Double, sentBytes: Int, returnedBytes: Int? = nil,
                decodeSeconds: Double? = nil, encodeSeconds: Double? = nil, analysisSeconds: Double? = nil) {
        self.segment = segment
        self.attempt = attempt
        self.agent = agent
        self.speculative = speculative
        self.outcome = outcome
        self.assigned = assigned
        self.ended = ended
        self.extractSeconds = extractSeconds
        self.sentBytes = sentBytes
        self.returnedBytes = returnedBytes
        self.decodeSeconds = decodeSeconds
        self.encodeSeconds = encodeSeconds
        self.analysisSeconds = analysisSeconds
    }

    /// Seconds the agent spent working (decode + encode + analysis).
    public var agentSeconds: Double? {
        guard decodeSeconds != nil || encodeSeconds != nil else { return nil }
        return (decodeSeconds ?? 0) + (encodeSeconds ?? 0) + (analysisSeconds ?? 0)
    }
}
