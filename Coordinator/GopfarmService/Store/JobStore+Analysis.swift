import Foundation
import GopfarmCoordinator
import GRDB

/// A finished job's content analysis, one JSON document per job (thumbnails are files).
extension JobStore {
    public func saveAnalysis(_ job: String, _ analysis: JobAnalysis) throws {
        let data = try AnalysisFiles.encoder().encode(analysis)
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO analyses (jobId, json, createdAt) VALUES (?, ?, ?)",
                           arguments: [job, data, Date()])
        }
    }

    public func analysis(_ job: String) throws -> JobAnalysis? {
        let data = try pool.read { db in try Data.fetchOne(db, sql: "SELECT json FROM analyses WHERE jobId = ?", arguments: [job]) }
        return try data.map { try JSONDecoder().decode(JobAnalysis.self, from: $0) }
    }
}
