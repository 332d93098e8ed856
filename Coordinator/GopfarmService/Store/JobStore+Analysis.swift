import Foundation
import GopfarmCoordinator
import GRDB
import GopfarmCommon

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
        try Self.decodeAnalysis(try pool.read { db in try Self.analysisData(db, job) })
    }

    /// The same, without a blocking SQLite call (HTTP handlers); decoding is the caller's CPU.
    public func analysis(_ job: String) async throws -> JobAnalysis? {
        try Self.decodeAnalysis(try await pool.read { db in try Self.analysisData(db, job) })
    }

    private static func analysisData(_ db: Database, _ job: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT json FROM analyses WHERE jobId = ?", arguments: [job])
    }

    private static func decodeAnalysis(_ data: Data?) throws -> JobAnalysis? {
        try data.map { try JSONDecoder().decode(JobAnalysis.self, from: $0) }
    }
}
