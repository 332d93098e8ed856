/// `POST /v1/agents/{name}/drain|resume`'s answer.
public struct DrainState: Codable, Sendable, Equatable {
    public var agent: String
    public var draining: Bool
    public init(agent: String, draining: Bool) {
        self.agent = agent
        self.draining = draining
    }
}
