import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB

/// Who is calling the API: resolved from a bearer token.
public struct Caller: Sendable, Equatable {
    public var name: String
    public var role: Role
}

extension JobStore {
    public func tokenCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tokens") ?? 0 }
    }

    public func allowKey(_ key: String, name: String?) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO agentKeys (publicKey, name, addedAt) VALUES (?, ?, ?) ON CONFLICT(publicKey) DO UPDATE SET name = COALESCE(excluded.name, name)",
                           arguments: [key, name, Date()])
        }
    }

    public func revokeKey(_ key: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM agentKeys WHERE publicKey = ?", arguments: [key])
            return db.changesCount > 0
        }
    }

    public func allowedKeys() throws -> [AgentKeyView] {
        try pool.read { db in try Self.allowedKeys(db) }
    }

    static func allowedKeys(_ db: Database) throws -> [AgentKeyView] {
        try Row.fetchAll(db, sql: "SELECT publicKey, name FROM agentKeys ORDER BY addedAt").map {
            AgentKeyView(publicKey: $0["publicKey"], name: $0["name"])
        }
    }

    func addUpload(id: String, owner: String, path: String, fileName: String, bytes: Int) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO uploads (id, owner, path, fileName, bytes, createdAt) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, owner, path, fileName, bytes, Date()])
        }
    }

    /// The upload's path and file name, when `owner` may use it.
    func upload(_ id: String, owner: String) async throws -> (path: String, fileName: String)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT path, fileName FROM uploads WHERE id = ? AND owner = ?", arguments: [id, owner]) else { return nil }
            return (row["path"], row["fileName"])
        }
    }

    /// Per segment: how many attempts each coordinator run made (tests and `status` use it).
    public func attemptsByRun(job: String) throws -> [(segment: Int, run: Int, attempts: Int, doneInRun: Int?)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT a.idx, a.run, COUNT(*) AS n,
                  (SELECT b.run FROM attempts b WHERE b.jobId = a.jobId AND b.idx = a.idx AND b.outcome = 'done' LIMIT 1) AS doneRun
                FROM attempts a WHERE a.jobId = ? GROUP BY a.idx, a.run ORDER BY a.idx, a.run
                """, arguments: [job]).map { ($0["idx"], $0["run"], $0["n"], $0["doneRun"]) }
        }
    }
}
