import Foundation
import GopfarmAPI
import GRDB

/// What the dashboard reads that the API does not: a page of jobs with the total, counts by
/// state for one owner, and the segments completed since a moment (cluster throughput).
extension JobStore {
    /// Jobs newest first, `limit` from `offset`, and how many there are in all.
    func jobPage(owner: String?, offset: Int, limit: Int) async throws -> (rows: [JobRow], total: Int) {
        try await pool.read { db in
            let filter = owner == nil ? "" : "WHERE owner = ?"
            let args: StatementArguments = owner.map { [$0] } ?? []
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs \(filter)", arguments: args) ?? 0
            let rows = try JobRow.fetchAll(db, sql: "SELECT * FROM jobs \(filter) ORDER BY seq DESC LIMIT ? OFFSET ?",
                                           arguments: args + [limit, offset])
            return (rows, total)
        }
    }

    /// Jobs by state, of one owner or of everyone.
    func stateCounts(owner: String?) async throws -> [JobView.State: Int] {
        try await pool.read { db in
            let filter = owner == nil ? "" : "WHERE owner = ?"
            var out: [JobView.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs \(filter) GROUP BY state",
                                        arguments: owner.map { [$0] } ?? []) {
                if let s = JobView.State(rawValue: row["state"]) { out[s] = row["n"] }
            }
            return out
        }
    }

    /// When each segment completed since `since`, with its frames.
    func segmentCompletions(since: Date) async throws -> [(at: Date, frames: Int)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT completedAt, frames FROM segments WHERE completedAt >= ? ORDER BY completedAt",
                             arguments: [since]).compactMap { row in
                guard let at: Date = row["completedAt"] else { return nil }
                return (at, (row["frames"] as Int?) ?? 0)
            }
        }
    }
}
