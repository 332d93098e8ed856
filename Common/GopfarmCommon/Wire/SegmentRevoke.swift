/// The coordinator moved an assignment the agent holds queued (prefetched, not started) to an
/// idle agent: the agent drops it from its queue. One it already started runs on; the first
/// valid result wins, as with any speculative copy.
public struct SegmentRevoke: WireMessage, Equatable {
    public static let type = "revoke"
    public var job: String
    public var segment: Int
    public var attempt: Int

    public init(job: String, segment: Int, attempt: Int) {
        self.job = job
        self.segment = segment
        self.attempt = attempt
    }
}
