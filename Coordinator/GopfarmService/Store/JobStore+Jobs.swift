import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import GRDB

extension JobStore {
    func insert(_ job: JobRow) throws {
        try pool.write { db in try Self.insert(db, job) }
    }

    static func insert(_ db: Database, _ job: JobRow) throws {
        var row = job
        row.seq = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs") ?? 1
        try row.insert(db)
        try db.execute(sql: "INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'submitted', ?)",
                       arguments: [Date(), job.id, "submitted by \(job.owner)"])
    }

    func job(_ id: String) throws -> JobRow? {
        try pool.read { db in try JobRow.fetchOne(db, key: id) }
    }

    func jobs(owner: String?, limit: Int = 1000) throws -> [JobRow] {
        try pool.read { db in try Self.jobs(db, owner: owner, limit: limit) }
    }

    static func jobs(_ db: Database, owner: String?, limit: Int, filter: JobListFilter = JobListFilter()) throws -> [JobRow] {
        var conditions: [String] = [], arguments: [(any DatabaseValueConvertible)?] = []
        if let owner { conditions.append("owner = ?"); arguments.append(owner) }
        switch filter.states {
        case .all: break
        case .active: conditions.append("state NOT IN ('done', 'failed', 'cancelled')")
        case .finished: conditions.append("state IN ('done', 'failed', 'cancelled')")
        }
        if let before = filter.beforeSeq { conditions.append("seq < ?"); arguments.append(before) }
        arguments.append(limit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try JobRow.fetchAll(db, sql: "SELECT * FROM jobs \(whereClause) ORDER BY seq DESC LIMIT ?",
                                   arguments: StatementArguments(arguments.map { $0?.databaseValue ?? .null }))
    }

    /// The position of a job in submission order, for `before=ID`; nil when there is no such job.
    static func seq(_ db: Database, of id: String) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT seq FROM jobs WHERE id = ?", arguments: [id])
    }

    func unfinishedJobs() throws -> [JobRow] {
        try pool.read { db in try Self.unfinishedJobs(db) }
    }

    static func unfinishedJobs(_ db: Database) throws -> [JobRow] {
        try JobRow.fetchAll(db, sql: "SELECT * FROM jobs WHERE state NOT IN ('done', 'failed', 'cancelled') ORDER BY seq")
    }

    func countJobsByState() async throws -> [JobView.State: Int] {
        try await pool.read { db in
            var out: [JobView.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state") {
                if let s = JobView.State(rawValue: row["state"]) { out[s] = row["n"] }
            }
            return out
        }
    }

    /// Stores the plan's segments once (a restart finds them there and keeps finished ones).
    func recordPlan(_ id: String, plan: SegmentPlan, warnings: [String]) throws {
        try pool.write { db in
            let existing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM segments WHERE jobId = ?", arguments: [id]) ?? 0
            if existing != plan.segments.count {
                try db.execute(sql: "DELETE FROM segments WHERE jobId = ?", arguments: [id])
                for s in plan.segments {
                    try db.execute(sql: """
                        INSERT INTO segments (jobId, idx, state, expectedFrames, startPTS, primed) VALUES (?, ?, 'pending', ?, ?, ?)
                        """, arguments: [id, s.index, s.expectedFrames, s.startPTS, s.isPrimed])
                }
            }
            try db.execute(sql: "UPDATE jobs SET segmentsTotal = ?, framesTotal = ?, warnings = ? WHERE id = ?",
                           arguments: [plan.segments.count, plan.expectedFrames, Self.json(warnings), id])
        }
    }

    /// Segments done in earlier runs whose payload is still in the spool with the right size.
    /// Per segment, the highest attempt recorded (a resumed job numbers its new ones after).
    func highestAttempts(_ id: String) throws -> [Int: Int] {
        try pool.read { db in
            var out: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT idx, MAX(attempt) AS top FROM attempts WHERE jobId = ? GROUP BY idx", arguments: [id]) {
                if let n: Int = row["idx"], let top: Int = row["top"] { out[n] = top }
            }
            return out
        }
    }

    func completedSegments(_ id: String) throws -> [Int: CompletedSegment] {
        try pool.read { db in
            var out: [Int: CompletedSegment] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT idx, agent, path, result FROM segments WHERE jobId = ? AND state = 'done'", arguments: [id]) {
                guard let text: String = row["result"], let path: String = row["path"],
                      let result = try? JSONDecoder().decode(SegmentResult.self, from: Data(text.utf8)),
                      let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
                      size == result.payloadBytes else { continue }
                out[row["idx"]] = CompletedSegment(result: result, path: URL(fileURLWithPath: path), agent: row["agent"] ?? "?")
            }
            return out
        }
    }

    func finishOutput(_ id: String, path: String, frames: Int, bytes: Int, warnings: [String]) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE jobs SET outputPath = ?, outputFrames = ?, outputBytes = ?, warnings = ? WHERE id = ?",
                           arguments: [path, frames, bytes, Self.json(warnings), id])
        }
    }

    /// The agents that completed segments of each job, sorted by name.
    func agentsOfJobs(_ ids: [String]) throws -> [String: [String]] {
        try pool.read { db in try Self.agentsOfJobs(db, ids) }
    }

    static func agentsOfJobs(_ db: Database, _ ids: [String]) throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT DISTINCT jobId, agent FROM segments WHERE jobId IN (\(marks)) AND state = 'done' AND agent IS NOT NULL
            ORDER BY jobId, agent
            """, arguments: StatementArguments(ids))
        return Dictionary(grouping: rows, by: { $0["jobId"] as String }).mapValues { $0.map { $0["agent"] as String } }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}

/// Which jobs a list shows: by state, and older than a given job (the list's cursor).
struct JobListFilter: Sendable {
    enum States: String, Sendable { case all, active, finished }
    var states: States = .all
    var beforeSeq: Int?
}
