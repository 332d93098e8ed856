import Foundation

/// A token as `GET /v1/tokens` lists it: never its secret (only its hash is stored).
public struct TokenView: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case active, expired, revoked }
    public var name: String
    public var role: Role
    public var state: State
    public var createdAt: Date
    public var expiresAt: Date?
    /// When it was last used, to the minute (updated at most once a minute).
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(name: String, role: Role, state: State, createdAt: Date, expiresAt: Date?, lastUsedAt: Date?, revokedAt: Date?) {
        self.name = name
        self.role = role
        self.state = state
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}
