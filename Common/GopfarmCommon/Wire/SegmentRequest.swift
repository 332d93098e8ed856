/// An agent asks for work: one message per slot that became free (pull, never push).
public struct SegmentRequest: WireMessage, Equatable {
    public static let type = "request"
    public var slots: Int
    public init(slots: Int) { self.slots = slots }
}
