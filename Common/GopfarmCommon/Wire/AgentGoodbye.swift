/// Either side ends the session: an agent leaving (SIGTERM), or the coordinator dismissing it.
public struct AgentGoodbye: WireMessage, Equatable {
    public static let type = "goodbye"
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

extension AgentGoodbye {
    /// The coordinator does not know the sender (it restarted): say hello again.
    public static let unknownAgent = "unknown agent: say hello again"
}
