/// An agent could not encode a segment; `message` is one sentence for the user.
public struct SegmentFailure: WireMessage, Equatable {
    public static let type = "failure"
    public var job: String
    public var segment: Int
    public var attempt: Int
    public var message: String
    /// True when retrying elsewhere cannot help (bad options, undecodable data).
    public var permanent: Bool
    /// The `MediaError.Code` raw value, when the failure was one (`decodeFailed`, `segmentMismatch`
    /// …): the coordinator fails the job at once on errors that are deterministic by nature.
    /// A string, not the enum, so a code a newer agent knows does not make the message unreadable;
    /// absent in messages from agents before it existed (they read as a plain failure).
    public var code: String?

    public init(job: String, segment: Int, attempt: Int, message: String, permanent: Bool, code: String? = nil) {
        self.job = job
        self.segment = segment
        self.attempt = attempt
        self.message = message
        self.permanent = permanent
        self.code = code
    }
}
