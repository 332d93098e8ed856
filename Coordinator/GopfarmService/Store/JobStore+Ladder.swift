import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import GRDB

/// A ladder job's records: the automatic ladder's choice, and what the packager wrote.
extension JobStore {
    /// Kept before the chosen rungs are dispatched: a restarted coordinator resumes with them
    /// (its finished segments hold those rungs) instead of probing again.
    func saveLadderChoice(_ job: String, _ choice: LadderChoice) throws {
        let data = try JSONEncoder().encode(choice)
        try pool.write { db in
            try db.execute(sql: "INSERT INTO ladders (jobId, choice) VALUES (?, ?) ON CONFLICT(jobId) DO UPDATE SET choice = excluded.choice",
                           arguments: [job, data])
        }
    }

    func ladderChoice(_ job: String) throws -> LadderChoice? {
        let data = try pool.read { db in try Data.fetchOne(db, sql: "SELECT choice FROM ladders WHERE jobId = ?", arguments: [job]) }
        return try data.map { try JSONDecoder().decode(LadderChoice.self, from: $0) }
    }

    /// Records a packaged ladder in one transaction: the job's output (the directory, frames,
    /// bytes, warnings), its packages and files, and every track with its rates and quality.
    func finishLadder(_ job: String, directory: String, report: PackageReport, quality: [SegmentQuality?]?, warnings: [String]) throws {
        let rows = Self.renditionRows(report, quality: quality)
        try pool.write { db in
            try db.execute(sql: "UPDATE jobs SET outputPath = ?, outputFrames = ?, outputBytes = ?, warnings = ? WHERE id = ?",
                           arguments: [directory, report.videoFrames, report.totalBytes, Self.json(warnings), job])
            try db.execute(sql: """
                INSERT INTO ladders (jobId, packages, segmentSeconds, files) VALUES (?, ?, ?, ?)
                ON CONFLICT(jobId) DO UPDATE SET packages = excluded.packages, segmentSeconds = excluded.segmentSeconds, files = excluded.files
                """, arguments: [job, Self.json(report.packages), report.segmentSeconds, Self.json(report.files)])
            try db.execute(sql: "DELETE FROM renditions WHERE jobId = ?", arguments: [job])
            for (i, r) in rows.enumerated() {
                try db.execute(sql: """
                    INSERT INTO renditions (jobId, idx, kind, name, codec, codecs, width, height, frames, bytes, averageBitrate,
                    peakBitrate, psnr, ssim, language) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [job, i, r.kind.rawValue, r.name, r.codec, r.codecs, r.width, r.height, r.frames, r.bytes,
                                     r.averageBitrate, r.peakBitrate, r.psnr, r.ssim, r.language])
            }
        }
    }

    /// The packager's report as the API's tracks: video renditions (with their quality), then audio, then subtitles.
    static func renditionRows(_ report: PackageReport, quality: [SegmentQuality?]?) -> [JobLadder.Rendition] {
        let video = report.renditions.enumerated().map { i, r in
            let q = quality?.indices.contains(i) == true ? quality?[i] : nil
            return JobLadder.Rendition(kind: .video, name: r.name, codec: r.codec, codecs: r.codecs, width: r.width, height: r.height,
                                       frames: r.frames, bytes: r.bytes, averageBitrate: r.averageBitrate, peakBitrate: r.peakBitrate,
                                       psnr: q.map(\.psnrAll).flatMap { $0.isFinite ? $0 : nil }, ssim: q?.ssimY.flatMap { $0.isFinite ? $0 : nil })
        }
        let audio = report.audioTracks.map { a in
            JobLadder.Rendition(kind: .audio, name: a.name, codec: "aac", codecs: a.codecs, bytes: a.bytes,
                                averageBitrate: a.averageBitrate, peakBitrate: a.peakBitrate, language: a.language)
        }
        let subtitles = report.subtitleTracks.map { s in
            JobLadder.Rendition(kind: .subtitles, name: s.name, codec: "webvtt", bytes: s.bytes, language: s.language)
        }
        return video + audio + subtitles
    }

    /// What the API shows of a ladder job's output: its tracks, packages and files (nil: not packaged).
    func ladderOutput(_ job: String) async throws -> (renditions: [JobLadder.Rendition], packages: [String], segmentSeconds: Double, files: [String])? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT packages, segmentSeconds, files FROM ladders WHERE jobId = ? AND files IS NOT NULL",
                                             arguments: [job]) else { return nil }
            let decode = { (text: String?) in (try? JSONDecoder().decode([String].self, from: Data((text ?? "[]").utf8))) ?? [] }
            let renditions = try Row.fetchAll(db, sql: "SELECT * FROM renditions WHERE jobId = ? ORDER BY idx", arguments: [job]).map { r in
                JobLadder.Rendition(kind: JobLadder.Rendition.Kind(rawValue: r["kind"]) ?? .video, name: r["name"], codec: r["codec"],
                                    codecs: r["codecs"], width: r["width"], height: r["height"], frames: r["frames"], bytes: r["bytes"],
                                    averageBitrate: r["averageBitrate"], peakBitrate: r["peakBitrate"], psnr: r["psnr"], ssim: r["ssim"],
                                    language: r["language"])
            }
            return (renditions, decode(row["packages"]), row["segmentSeconds"] ?? Ladder.defaultSegmentSeconds, decode(row["files"]))
        }
    }
}
