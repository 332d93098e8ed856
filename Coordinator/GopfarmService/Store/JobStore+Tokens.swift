import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB

/// What a bearer token is worth: a caller, or why not (the 401's sentence).
public enum TokenCheck: Sendable, Equatable {
    case caller(Caller)
    case unknown
    case revoked(name: String)
    case expired(name: String, at: Date)

    /// The sentence a refused token gets (nil: accepted).
    public var refusal: String? {
        switch self {
        case .caller: nil
        case .unknown: "missing or unknown bearer token"
        case .revoked(let name): "the token '\(name)' was revoked"
        case .expired(let name, let at): "the token '\(name)' expired at \(ISO8601DateFormatter().string(from: at))"
        }
    }
}

/// A token name is taken (jobs are owned by name, so two tokens of one name would be one identity).
public struct TokenNameTaken: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "a token named '\(name)' exists already (jobs belong to the name, so a second one would see the first one's jobs); pick another name"
    }
}

/// The token is the farm's only active admin token: revoking it would leave no one who can create tokens.
public struct LastAdminToken: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "'\(name)' is the only active admin token, and only an admin creates tokens; create another first (gopfarm token create --role admin --name NAME), then revoke this one"
    }
}

/// Tokens: random 32-byte secrets of which only the SHA-256 is stored; a unique name each (the
/// owner of its jobs), an optional expiry, revoked ones kept (their name stays taken: their jobs
/// still carry it). `lastUsedAt` is written at most once a minute per token.
extension JobStore {
    public func createToken(name: String, role: Role, expiresAt: Date? = nil) throws -> String {
        let token = Self.newToken()
        try pool.write { db in try Self.insertToken(db, token, name: name, role: role, expiresAt: expiresAt) }
        return token
    }

    public func createToken(name: String, role: Role, expiresAt: Date? = nil) async throws -> String {
        let token = Self.newToken()
        try await pool.write { db in try Self.insertToken(db, token, name: name, role: role, expiresAt: expiresAt) }
        return token
    }

    static func newToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return "gf_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func insertToken(_ db: Database, _ token: String, name: String, role: Role, expiresAt: Date?) throws {
        // Alice and alice would read as one person in every list: names are unique ignoring case.
        if let taken = try String.fetchOne(db, sql: "SELECT name FROM tokens WHERE name = ? COLLATE NOCASE", arguments: [name]) {
            throw TokenNameTaken(name: taken)
        }
        try db.execute(sql: "INSERT INTO tokens (name, role, hash, createdAt, expiresAt) VALUES (?, ?, ?, ?, ?)",
                       arguments: [name, role.rawValue, SHA256.hex(Data(token.utf8)), Date(), expiresAt])
    }

    /// The caller a token stands for; nil when unknown, revoked or expired.
    public func caller(token: String) throws -> Caller? {
        if case .caller(let c) = try pool.read({ db in try Self.check(db, token: token, now: Date()) }) { return c }
        return nil
    }

    public func caller(token: String) async throws -> Caller? {
        if case .caller(let c) = try await check(token: token) { return c }
        return nil
    }

    /// The token's verdict; an accepted one has its `lastUsedAt` brought up to date (to the minute).
    public func check(token: String) async throws -> TokenCheck {
        let now = Date()
        let hash = SHA256.hex(Data(token.utf8))
        let (verdict, stale) = try await pool.read { db -> (TokenCheck, Bool) in
            let verdict = try Self.check(db, token: token, now: now)
            guard case .caller = verdict else { return (verdict, false) }
            let last = try Date.fetchOne(db, sql: "SELECT lastUsedAt FROM tokens WHERE hash = ?", arguments: [hash])
            return (verdict, last.map { now.timeIntervalSince($0) >= 60 } ?? true)
        }
        if stale {
            _ = try? await pool.write { db in
                try db.execute(sql: "UPDATE tokens SET lastUsedAt = ? WHERE hash = ?", arguments: [now, hash])
            }
        }
        return verdict
    }

    static func check(_ db: Database, token: String, now: Date) throws -> TokenCheck {
        let hash = SHA256.hex(Data(token.utf8))
        guard let row = try Row.fetchOne(db, sql: "SELECT name, role, expiresAt, revokedAt FROM tokens WHERE hash = ?", arguments: [hash]),
              let role = Role(rawValue: row["role"]) else { return .unknown }
        let name: String = row["name"]
        if (row["revokedAt"] as Date?) != nil { return .revoked(name: name) }
        if let expires: Date = row["expiresAt"], expires <= now { return .expired(name: name, at: expires) }
        return .caller(Caller(name: name, role: role))
    }

    public func tokens() async throws -> [TokenView] {
        let now = Date()
        return try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, role, createdAt, expiresAt, lastUsedAt, revokedAt FROM tokens ORDER BY id").map { row in
                let expires: Date? = row["expiresAt"], revoked: Date? = row["revokedAt"]
                let state: TokenView.State = revoked != nil ? .revoked : (expires.map { $0 <= now } == true ? .expired : .active)
                return TokenView(name: row["name"], role: Role(rawValue: row["role"]) ?? .producer, state: state,
                                 createdAt: row["createdAt"], expiresAt: expires, lastUsedAt: row["lastUsedAt"], revokedAt: revoked)
            }
        }
    }

    /// Revokes the named token; false when there is no such token or it was revoked already.
    /// Never the last active admin token: only an admin creates tokens, so revoking it would lock
    /// every one out of the farm for good (`LastAdminToken`).
    public func revokeToken(name: String) async throws -> Bool {
        let now = Date()
        return try await pool.write { db in
            let admins = "role = 'admin' AND revokedAt IS NULL AND (expiresAt IS NULL OR expiresAt > ?)"
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM tokens WHERE name = ? AND \(admins))", arguments: [name, now]) == true,
               try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tokens WHERE \(admins)", arguments: [now]) == 1 {
                throw LastAdminToken(name: name)
            }
            try db.execute(sql: "UPDATE tokens SET revokedAt = ? WHERE name = ? AND revokedAt IS NULL", arguments: [now, name])
            return db.changesCount > 0
        }
    }

    static func migrateTokenNamesExpiry(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE tokens ADD COLUMN expiresAt DATETIME;
            ALTER TABLE tokens ADD COLUMN lastUsedAt DATETIME;
            ALTER TABLE tokens ADD COLUMN revokedAt DATETIME;
            CREATE INDEX tokens_name ON tokens(name);
            """)
    }
}
