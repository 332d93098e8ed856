import Foundation
import GopfarmCoordinator
import GRDB
import GopfarmCommon

/// Where each job's time went: the coordinator's phases (one JSON column, written as each phase
/// ends) and every segment attempt (the `attempts` table the dispatcher's events fill).
extension JobStore {
    /// Changes the job's recorded phases in one transaction (attempts are not kept in the column).
    func updatePhases(_ id: String, _ change: (inout JobTimings) -> Void) throws {
        try pool.write { db in try Self.changePhases(db, id, change) }
    }

    /// The same inside a transaction already open (the dispatcher's recorder).
    static func changePhases(_ db: Database, _ id: String, _ change: (inout JobTimings) -> Void) throws {
        let text = try String.fetchOne(db, sql: "SELECT phases FROM jobs WHERE id = ?", arguments: [id])
        var phases = text.flatMap { try? JSONDecoder().decode(JobTimings.self, from: Data($0.utf8)) } ?? JobTimings()
        change(&phases)
        phases.attempts = []
        try db.execute(sql: "UPDATE jobs SET phases = ? WHERE id = ?", arguments: [json(phases), id])
    }

    /// The job's recorded phases, without its attempts (nil: none recorded yet).
    func phases(_ id: String) throws -> JobTimings? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT phases FROM jobs WHERE id = ?", arguments: [id])
                .flatMap { try? JSONDecoder().decode(JobTimings.self, from: Data($0.utf8)) }
        }
    }

    /// Seconds since the job's submission, for the phase that starts or ends now.
    func secondsSinceSubmission(_ id: String) -> Double? {
        (try? job(id))?.map { Date().timeIntervalSince($0.submittedAt) }
    }

    /// The job's phases and attempts, moments in seconds since its submission; nil for no such job.
    func timings(_ id: String) throws -> JobTimings? {
        try pool.read { db in try Self.timings(db, id) }
    }

    static func timings(_ db: Database, _ id: String) throws -> JobTimings? {
        guard let row = try Row.fetchOne(db, sql: "SELECT submittedAt, phases FROM jobs WHERE id = ?", arguments: [id]),
              let submitted: Date = row["submittedAt"] else { return nil }
        let text: String? = row["phases"]
        var timings = text.flatMap { try? JSONDecoder().decode(JobTimings.self, from: Data($0.utf8)) } ?? JobTimings()
        timings.attempts = try Row.fetchAll(db, sql: """
            SELECT idx, attempt, agent, speculative, outcome, assignedAt, endedAt, extractSeconds, sentBytes, returnedBytes,
            decodeSeconds, encodeSeconds, analysisSeconds FROM attempts WHERE jobId = ? ORDER BY assignedAt, idx, attempt
            """, arguments: [id]).map { a in
            let assigned: Date = a["assignedAt"]
            let ended: Date? = a["endedAt"]
            return SegmentAttemptTiming(
                segment: a["idx"], attempt: a["attempt"], agent: a["agent"], speculative: a["speculative"], outcome: a["outcome"],
                assigned: assigned.timeIntervalSince(submitted), ended: ended.map { $0.timeIntervalSince(submitted) },
                extractSeconds: a["extractSeconds"], sentBytes: a["sentBytes"], returnedBytes: a["returnedBytes"],
                decodeSeconds: a["decodeSeconds"], encodeSeconds: a["encodeSeconds"], analysisSeconds: a["analysisSeconds"])
        }
        return timings
    }
}
