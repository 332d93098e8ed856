/// The coordinator's answer to `AgentHello`: accepted, or refused with a reason the agent prints.
public struct AgentWelcome: WireMessage, Equatable {
    public static let type = "welcome"
    public var accepted: Bool
    public var reason: String?
    public var heartbeatMilliseconds: Int
    public var protocolVersion: Int

    public init(accepted: Bool, reason: String? = nil, heartbeatMilliseconds: Int, protocolVersion: Int = WireProtocol.version) {
        self.accepted = accepted
        self.reason = reason
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.protocolVersion = protocolVersion
    }
}
