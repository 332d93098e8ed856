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
