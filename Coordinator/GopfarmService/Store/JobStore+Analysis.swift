import Foundation
import GopfarmCoordinator
import GRDB
import GopfarmCommon

/// A finished job's content analysis, one JSON document per job (thumbnails are files), and
/// the same without its per-frame series: a job's view reads only that summary. Decoding the
/// whole document (9.5 MB for an 80-minute title) cost every `GET /v1/jobs/{id}`, status and
/// dashboard page of a long job most of a second of the coordinator's CPU.
extension JobStore {
    public func saveAnalysis(_ job: String, _ analysis: JobAnalysis) throws {
        let data = try AnalysisFiles.data(analysis)
        var summary = analysis
        summary.series = nil
        let summaryData = try AnalysisFiles.encoder().encode(summary)
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO analyses (jobId, json, summary, createdAt) VALUES (?, ?, ?, ?)",
                           arguments: [job, data, summaryData, Date()])
        }
    }

    public func analysis(_ job: String) throws -> JobAnalysis? {
        try Self.decodeAnalysis(try pool.read { db in try Self.analysisData(db, job) })
    }

    /// The whole record as stored (`AnalysisFiles.data`), for a reader that sends it on.
    public func analysisDocument(_ job: String) async throws -> Data? {
        try await pool.read { db in try Self.analysisData(db, job) }
    }

    /// The analysis without its per-frame series (a job's view); an analysis stored before the
    /// summary column existed is decoded whole once and its summary kept.
    func analysisSummary(_ job: String) async throws -> JobAnalysis? {
        if let data = try await pool.read({ db in try Data.fetchOne(db, sql: "SELECT summary FROM analyses WHERE jobId = ?", arguments: [job]) }) {
            return try Self.decodeAnalysis(data)
        }
        guard var analysis = try Self.decodeAnalysis(try await analysisDocument(job)) else { return nil }
        analysis.series = nil
        let data = try AnalysisFiles.encoder().encode(analysis)
        try await pool.write { db in try db.execute(sql: "UPDATE analyses SET summary = ? WHERE jobId = ?", arguments: [data, job]) }
        return analysis
    }

    private static func analysisData(_ db: Database, _ job: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT json FROM analyses WHERE jobId = ?", arguments: [job])
    }

    private static func decodeAnalysis(_ data: Data?) throws -> JobAnalysis? {
        try data.map { try JSONDecoder().decode(JobAnalysis.self, from: $0) }
    }
}
