/// `POST /v1/agent-keys` (ops): admit an agent's CURVE public key.
public struct AgentKeyRequest: Codable, Sendable {
    public var publicKey: String
    public var name: String?
    public init(publicKey: String, name: String? = nil) {
        self.publicKey = publicKey
        self.name = name
    }
}

/// An allowed agent key, as `GET /v1/agent-keys` lists it.
public struct AgentKeyView: Codable, Sendable {
    public var publicKey: String
    public var name: String?
    public init(publicKey: String, name: String? = nil) {
        self.publicKey = publicKey
        self.name = name
    }
}

/// The answer to `POST /v1/uploads`.
public struct UploadCreated: Codable, Sendable {
    public var upload: String
    public var bytes: Int
    public init(upload: String, bytes: Int) {
        self.upload = upload
        self.bytes = bytes
    }
}

/// Every error body: one sentence.
public struct APIErrorBody: Codable, Sendable {
    public var error: String
    public init(error: String) { self.error = error }
}

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

/// `POST /v1/agents/{name}/drain|resume`'s answer.
public struct DrainState: Codable, Sendable, Equatable {
    public var agent: String
    public var draining: Bool
    public init(agent: String, draining: Bool) {
        self.agent = agent
        self.draining = draining
    }
}
