import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB

/// What retention and `jobs delete` read and remove.
extension JobStore {
    /// Every job with the spool files its segments name (payload, and analysis when there is one).
    func retentionJobs() async throws -> [RetentionPlan.Job] {
        try await pool.read { db in
            var files: [String: [String]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT jobId, path, result FROM segments WHERE path IS NOT NULL") {
                var names = [((row["path"] as String) as NSString).lastPathComponent]
                if let text: String = row["result"], let result = try? JSONDecoder().decode(SegmentResult.self, from: Data(text.utf8)),
                   let sha = result.analysisSHA256 {
                    names.append("\(sha).gfa")
                }
                files[row["jobId"], default: []] += names
            }
            return try Row.fetchAll(db, sql: "SELECT id, state, finishedAt, input, error FROM jobs").map { row in
                let id: String = row["id"]
                return RetentionPlan.Job(id: id, state: JobView.State(rawValue: row["state"]) ?? .queued, finishedAt: row["finishedAt"],
                                         input: row["input"], error: row["error"], spoolFiles: files[id] ?? [])
            }
        }
    }

    func retentionUploads() async throws -> [RetentionPlan.Upload] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, path, createdAt FROM uploads").map {
                RetentionPlan.Upload(id: $0["id"], path: $0["path"], createdAt: $0["createdAt"])
            }
        }
    }

    func deleteUploads(_ ids: [String]) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM uploads WHERE id = ?", arguments: [id]) }
        }
    }

    /// Removes a finished job's rows (segments and analysis cascade; attempts and events by
    /// hand); false when it is not finished (any more) or gone. In one transaction with the check.
    func deleteFinishedJob(_ id: String) async throws -> Bool {
        try await pool.write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [id]),
                  JobView.State(rawValue: state)?.isFinal == true else { return false }
            // With the attempts of an automatic ladder's probe (its own dispatcher job).
            try db.execute(sql: "DELETE FROM attempts WHERE jobId IN (?, ?)", arguments: [id, PipelineService.probeID(id)])
            try db.execute(sql: "DELETE FROM events WHERE jobId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM webhooks WHERE jobId = ?", arguments: [id])
            return true
        }
    }

    /// Removes ended webhook deliveries (delivered or given up: nothing due) queued before
    /// `before`, their tries with them, and the webhooks of jobs that are gone; returns how
    /// many deliveries went.
    func pruneWebhookLog(before: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_deliveries WHERE nextAttemptAt IS NULL AND createdAt < ?", arguments: [before])
            let removed = db.changesCount
            try db.execute(sql: "DELETE FROM webhooks WHERE jobId IS NOT NULL AND jobId NOT IN (SELECT id FROM jobs)")
            return removed
        }
    }
}
