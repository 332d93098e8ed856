import Foundation
import GRDB

extension JobStore {
    /// Segment attempts that ended after `date` with their agent's answer (done or failed; not
    /// one superseded by another copy, as an attempt adopted after a restart is, nor one lost
    /// with its agent), oldest first, with their seconds from lease to answer (the
    /// `gopfarm_segment_seconds` histogram).
    func attemptSeconds(endedAfter date: Date) async throws -> [(endedAt: Date, seconds: Double)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT assignedAt, endedAt FROM attempts WHERE endedAt > ? AND outcome IN ('done', 'failed') ORDER BY endedAt
                """, arguments: [date]).map { row in
                let assigned: Date = row["assignedAt"], ended: Date = row["endedAt"]
                return (ended, max(0, ended.timeIntervalSince(assigned)))
            }
        }
    }
}
