/// The coordinator's answer to `AgentHello`: accepted, or refused with a reason the agent prints.
public struct AgentWelcome: WireMessage, Equatable {
    public static let type = "welcome"
    public var accepted: Bool
    public var reason: String?
    public var heartbeatMilliseconds: Int
    public var protocolVersion: Int
    /// A refusal that may not last (the name is held by an agent that may be gone): say hello
    /// again after this long; nil: the refusal is final.
    public var retryAfterMilliseconds: Int?
    /// Not a refusal: the coordinator is not ready yet (a restart, resuming its jobs); say hello
    /// again after `retryAfterMilliseconds`, as often as it takes, keeping every result.
    public var later: Bool?

    public init(accepted: Bool, reason: String? = nil, heartbeatMilliseconds: Int, protocolVersion: Int = WireProtocol.version,
                retryAfterMilliseconds: Int? = nil, later: Bool? = nil) {
        self.later = later
        self.accepted = accepted
        self.reason = reason
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.protocolVersion = protocolVersion
        self.retryAfterMilliseconds = retryAfterMilliseconds
    }
}
