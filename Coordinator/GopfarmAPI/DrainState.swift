/// `POST /v1/agents/{name}/drain|resume`'s answer.
public struct DrainState: Codable, Sendable, Equatable {
    public var agent: String
    public var draining: Bool
    /// Whether an agent of that name is connected now (a name not connected is remembered and
    /// applies when it joins). Absent from coordinators older than this field.
    public var connected: Bool?
    public init(agent: String, draining: Bool, connected: Bool? = nil) {
        self.agent = agent
        self.draining = draining
        self.connected = connected
    }
}
