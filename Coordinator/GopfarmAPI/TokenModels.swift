import Foundation

/// What a bearer token may do. Producers submit and see their own jobs; ops also see all jobs
/// and manage agents; admins also manage tokens.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case producer, ops, admin

    var rank: Int { switch self { case .producer: 0; case .ops: 1; case .admin: 2 } }
    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// `POST /v1/tokens` (admin).
public struct TokenRequest: Codable, Sendable {
    public var name: String
    public var role: Role
    /// The token stops working this many seconds after it is made (nil: never).
    public var expiresInSeconds: Int?
    public init(name: String, role: Role, expiresInSeconds: Int? = nil) {
        self.name = name
        self.role = role
        self.expiresInSeconds = expiresInSeconds
    }
}

/// The answer to `POST /v1/tokens`: the only time the secret is shown.
public struct TokenCreated: Codable, Sendable {
    public var name: String
    public var role: Role
    public var token: String
    public var expiresAt: Date?
    public init(name: String, role: Role, token: String, expiresAt: Date? = nil) {
        self.name = name
        self.role = role
        self.token = token
        self.expiresAt = expiresAt
    }
}
