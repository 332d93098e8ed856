import Foundation
import GopfarmAPI
import GopfarmCoordinator
import GRDB
import GopfarmCommon

/// The reads and writes the HTTP handlers make, through GRDB's async API: the SQLite work runs
/// on GRDB's own queues, never as a blocking call on Swift's cooperative pool. The queries are
/// the ones the synchronous versions (worker threads, tests) run.
extension JobStore {
    func insert(_ job: JobRow) async throws {
        try await pool.write { db in try Self.insert(db, job) }
    }

    func job(_ id: String) async throws -> JobRow? {
        try await pool.read { db in try JobRow.fetchOne(db, key: id) }
    }

    func jobs(owner: String?, limit: Int = 1000, filter: JobListFilter = JobListFilter()) async throws -> [JobRow] {
        try await pool.read { db in try Self.jobs(db, owner: owner, limit: limit, filter: filter) }
    }

    func seq(of id: String) async throws -> Int? {
        try await pool.read { db in try Self.seq(db, of: id) }
    }

    func agentsOfJobs(_ ids: [String]) async throws -> [String: [String]] {
        try await pool.read { db in try Self.agentsOfJobs(db, ids) }
    }

    func timings(_ id: String) async throws -> JobTimings? {
        try await pool.read { db in try Self.timings(db, id) }
    }
}

extension JobStore {
    /// One real write (this run's row, to the same value): fails as a job's writes would.
    func probeWrite() async throws {
        let run = self.run
        try await pool.write { db in try db.execute(sql: "UPDATE runs SET startedAt = startedAt WHERE id = ?", arguments: [run]) }
    }

    func unfinishedJobs() async throws -> [JobRow] {
        try await pool.read { db in try Self.unfinishedJobs(db) }
    }
}

/// Tokens, agent keys and events from the HTTP side.
extension JobStore {
    public func allowedKeys() async throws -> [AgentKeyView] {
        try await pool.read { db in try Self.allowedKeys(db) }
    }

    public func event(job: String?, kind: String, _ message: String) async {
        _ = try? await pool.write { db in try Self.insertEvent(db, job: job, kind: kind, message) }
    }
}
