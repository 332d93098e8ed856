import Foundation
import GopfarmCoordinator
import GRDB

/// A job's state moves only by compare-and-set: `UPDATE … WHERE id = ? AND state = from`, which
/// reports whether it moved. Two writers that race (a cancel against the dispatcher's completion,
/// a stitch against a failure) cannot both move a job; the loser sees `false` and asks the
/// `JobStateMachine` again with the state it finds.
extension JobStore {
    func jobState(_ id: String) throws -> JobStateMachine.State? {
        try pool.read { db in try Self.state(db, id) }
    }

    func jobState(_ id: String) async throws -> JobStateMachine.State? {
        try await pool.read { db in try Self.state(db, id) }
    }

    /// Moves the job if it is still in `transition.from`; false when another writer moved it first.
    func move(_ id: String, _ transition: JobStateMachine.Transition) throws -> Bool {
        try pool.write { db in try Self.move(db, id, transition) }
    }

    func move(_ id: String, _ transition: JobStateMachine.Transition) async throws -> Bool {
        try await pool.write { db in try Self.move(db, id, transition) }
    }

    private static func state(_ db: Database, _ id: String) throws -> JobStateMachine.State? {
        try String.fetchOne(db, sql: "SELECT state FROM jobs WHERE id = ?", arguments: [id]).flatMap(JobStateMachine.State.init)
    }

    private static func move(_ db: Database, _ id: String, _ t: JobStateMachine.Transition) throws -> Bool {
        let now = Date()
        try db.execute(sql: """
            UPDATE jobs SET state = ?, error = COALESCE(?, error),
            finishedAt = CASE WHEN ? THEN ? ELSE finishedAt END,
            startedAt = CASE WHEN ? = 'running' AND startedAt IS NULL THEN ? ELSE startedAt END
            WHERE id = ? AND state = ?
            """, arguments: [t.to.rawValue, t.error, t.to.isFinal, now, t.to.rawValue, now, id, t.from.rawValue])
        guard db.changesCount == 1 else { return false }
        try db.execute(sql: "INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'state', ?)",
                       arguments: [now, id, t.to.rawValue + (t.error.map { ": " + $0 } ?? "")])
        return true
    }
}

/// What feeding one event to a job's `JobStateMachine` came to.
enum JobAdvance: Sendable, Equatable {
    /// The store moved the job; the shell does the action.
    case moved(JobStateMachine.Transition, JobStateMachine.Action)
    /// Nothing to do (the job moved on, ended, or does not exist).
    case ignored
    /// Not allowed now: "is already done".
    case refused(String)
}

extension JobStore {
    /// Feeds `event` to a machine started from the stored state and makes its move by
    /// compare-and-set; a move lost to another writer is decided again on the state that writer
    /// left (states only move forward, so this ends after a few turns).
    func advance(_ id: String, _ event: (inout JobStateMachine) -> JobStateMachine.Decision) throws -> JobAdvance {
        for _ in 0..<Self.advanceTurns {
            let (transition, outcome) = Self.decide(try jobState(id), event)
            guard let transition, try !move(id, transition) else { return outcome }
        }
        throw StoreConflict(job: id)
    }

    func advance(_ id: String, _ event: (inout JobStateMachine) -> JobStateMachine.Decision) async throws -> JobAdvance {
        for _ in 0..<Self.advanceTurns {
            let (transition, outcome) = Self.decide(try await jobState(id), event)
            guard let transition, try await !move(id, transition) else { return outcome }
        }
        throw StoreConflict(job: id)
    }

    private static let advanceTurns = 8

    private static func decide(_ stored: JobStateMachine.State?,
                               _ event: (inout JobStateMachine) -> JobStateMachine.Decision) -> (JobStateMachine.Transition?, JobAdvance) {
        guard let stored else { return (nil, .ignored) }
        var machine = JobStateMachine(state: stored)
        switch event(&machine) {
        case .ignore: return (nil, .ignored)
        case .refuse(let why): return (nil, .refused(why))
        case .move(let transition, let action): return (transition, .moved(transition, action))
        }
    }
}

/// A job whose state other writers kept moving while this one tried to move it.
struct StoreConflict: Error, CustomStringConvertible {
    let job: String
    var description: String { "job \(job) kept changing state; try again" }
}
