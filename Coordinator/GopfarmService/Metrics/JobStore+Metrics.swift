import Foundation
import GRDB

extension JobStore {
    /// Segment attempts that ended after `date`, oldest first, with their seconds from lease to
    /// answer (the `gopfarm_segment_seconds` histogram).
    func attemptSeconds(endedAfter date: Date) async throws -> [(endedAt: Date, seconds: Double)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT assignedAt, endedAt FROM attempts WHERE endedAt > ? ORDER BY endedAt
                """, arguments: [date]).map { row in
                let assigned: Date = row["assignedAt"], ended: Date = row["endedAt"]
                return (ended, max(0, ended.timeIntervalSince(assigned)))
            }
        }
    }
}
