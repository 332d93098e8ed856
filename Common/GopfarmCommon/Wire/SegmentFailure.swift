/// An agent could not encode a segment; `message` is one sentence for the user.
public struct SegmentFailure: WireMessage, Equatable {
    public static let type = "failure"
    public var job: String
    public var segment: Int
    public var attempt: Int
    public var message: String
    /// True when retrying elsewhere cannot help (bad options, undecodable data).
    public var permanent: Bool

    public init(job: String, segment: Int, attempt: Int, message: String, permanent: Bool) {
        self.job = job
        self.segment = segment
        self.attempt = attempt
        self.message = message
        self.permanent = permanent
    }
}
