/// `GET /v1/coordinator`: what a client or an agent needs to know about the coordinator.
public struct CoordinatorInfo: Codable, Sendable, Equatable {
    public var version: String
    /// Where agents connect (nil before the dispatcher listens).
    public var agentEndpoint: String?
    /// The coordinator's CURVE public key (nil on an insecure endpoint).
    public var publicKey: String?
    public var protocolVersion: Int?
    public init(version: String, agentEndpoint: String?, publicKey: String?, protocolVersion: Int?) {
        self.version = version
        self.agentEndpoint = agentEndpoint
        self.publicKey = publicKey
        self.protocolVersion = protocolVersion
    }
}
