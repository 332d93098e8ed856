import Foundation
import GopfarmCommon
import GopfarmCoordinator
import GRDB

/// Persists the dispatcher's events in one transaction per loop turn; a finished job is handed
/// to `onJobFinished` (the service stitches it) after the transaction committed.
///
/// It runs on the dispatcher's thread, thousands of times a second under load: statements are
/// compiled once (`cachedStatement`) and the turn's timestamp is converted once.
struct StoreRecorder: DispatchRecorder {
    let store: JobStore
    let onJobFinished: @Sendable (String, DispatchOutcome) -> Void

    func record(_ events: [DispatchEvent]) {
        var finished: [(String, DispatchOutcome)] = []
        do {
            try store.pool.write { db in
                let now = Date().databaseValue
                func run(_ sql: String, _ arguments: StatementArguments) throws {
                    try db.cachedStatement(sql: sql).execute(arguments: arguments)
                }
                for event in events {
                    switch event {
                    case .assigned(let job, let n, let attempt, let agent, let speculative, let extractSeconds, let sentBytes):
                        try run("""
                            INSERT INTO attempts (jobId, idx, attempt, run, agent, speculative, assignedAt, extractSeconds, sentBytes)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, [job, n, attempt, store.run, agent, speculative, now, extractSeconds, sentBytes])
                        try run("UPDATE segments SET state = 'running', attempts = attempts + 1 WHERE jobId = ? AND idx = ? AND state != 'done'",
                            [job, n])
                    case .completed(let job, let c, let seconds):
                        let r = c.result
                        try run("""
                            UPDATE segments SET state = 'done', agent = ?, frames = ?, bytes = ?, sha256 = ?, path = ?, seconds = ?,
                            result = ?, completedAt = ? WHERE jobId = ? AND idx = ?
                            """, [c.agent, r.frames, r.payloadBytes, r.payloadSHA256, c.path.path, seconds,
                                JobStore.json(r), now, job, r.segment])
                        try run("""
                            UPDATE attempts SET outcome = 'done', endedAt = ?, returnedBytes = ?, decodeSeconds = ?, encodeSeconds = ?,
                            analysisSeconds = ? WHERE jobId = ? AND idx = ? AND attempt = ?
                            """, [now, r.payloadBytes, r.decodeSeconds, r.encodeSeconds, r.analysisSeconds, job, r.segment, r.attempt])
                        // A speculative copy still running lost the race.
                        try run("UPDATE attempts SET outcome = 'superseded', endedAt = ? WHERE jobId = ? AND idx = ? AND outcome IS NULL",
                            [now, job, r.segment])
                        try run("UPDATE jobs SET segmentsDone = segmentsDone + 1, framesDone = framesDone + ? WHERE id = ?",
                            [r.frames, job])
                    case .requeued(let job, let n, let reason):
                        try run("UPDATE segments SET state = 'pending' WHERE jobId = ? AND idx = ? AND state = 'running'", [job, n])
                        // Its agent went away: the attempts still open on it are lost.
                        try run("UPDATE attempts SET outcome = 'requeued', endedAt = ? WHERE jobId = ? AND idx = ? AND outcome IS NULL",
                            [now, job, n])
                        try run("INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'requeued', ?)",
                            [now, job, "segment \(n): \(reason)"])
                    case .split(let job, let split, let parts):
                        // Later segments move up one, through negative indexes (SQLite checks the key row by row).
                        try run("UPDATE segments SET idx = -idx - 2 WHERE jobId = ? AND idx > ?", [job, split.segment])
                        try run("UPDATE segments SET idx = -idx - 1 WHERE jobId = ? AND idx < 0", [job])
                        try run("UPDATE segments SET expectedFrames = ?, primed = ? WHERE jobId = ? AND idx = ?",
                            [parts[0].expectedFrames, parts[0].isPrimed, job, split.segment])
                        try run("INSERT INTO segments (jobId, idx, state, expectedFrames, startPTS, primed) VALUES (?, ?, 'pending', ?, ?, ?)",
                            [job, split.segment + 1, parts[1].expectedFrames, parts[1].startPTS, parts[1].isPrimed])
                        try run("UPDATE jobs SET segmentsTotal = segmentsTotal + 1 WHERE id = ?", [job])
                        try JobStore.changePhases(db, job) { $0.planSplits = ($0.planSplits ?? []) + [split] }
                        try run("INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'split', ?)",
                            [now, job, "segment \(split.segment) cut into \(parts[0].expectedFrames) + \(parts[1].expectedFrames) frames, so the slots finish together"])
                    case .moved(let job, let n, let attempt, _):
                        try run("UPDATE attempts SET outcome = 'moved', endedAt = ? WHERE jobId = ? AND idx = ? AND attempt = ? AND outcome IS NULL",
                            [now, job, n, attempt])
                    case .segmentFailed(let job, let n, let attempt, let agent, let message):
                        try run("UPDATE attempts SET outcome = 'failed', endedAt = ? WHERE jobId = ? AND idx = ? AND attempt = ? AND outcome IS NULL",
                            [now, job, n, attempt])
                        try run("INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'segment-failed', ?)",
                            [now, job, "segment \(n) on \(agent): \(message)"])
                    case .jobFinished(let job, let outcome):
                        // Attempts still open when their job ends were revoked with it: never "running" again.
                        let ended: String? = switch outcome {
                        case .cancelled: "cancelled"
                        case .failed: "job-failed"
                        case .completed: "superseded"
                        }
                        try run("UPDATE attempts SET outcome = ?, endedAt = ? WHERE jobId = ? AND outcome IS NULL", [ended, now, job])
                        finished.append((job, outcome))
                    case .agentJoined(let a):
                        try run("""
                            INSERT INTO agents (name, publicKey, state, slots, threads, cores, version, firstSeen, lastSeen)
                            VALUES (?, ?, 'connected', ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(name) DO UPDATE SET publicKey = excluded.publicKey, state = 'connected', slots = excluded.slots,
                            threads = excluded.threads, cores = excluded.cores, version = excluded.version, lastSeen = excluded.lastSeen
                            """, [a.name, a.publicKey, a.slots, a.threads, a.cores, a.version, now, now])
                        try run("INSERT INTO events (at, kind, message) VALUES (?, 'agent', ?)", [now, "\(a.name) joined"])
                    case .agentLeft(let name, let reason):
                        try run("UPDATE agents SET state = 'gone', lastSeen = ?, lastReason = ? WHERE name = ?",
                            [now, reason, name])
                        try run("INSERT INTO events (at, kind, message) VALUES (?, 'agent', ?)", [now, "\(name) gone: \(reason)"])
                    }
                }
            }
        } catch {
            store.event(job: nil, kind: "store-error", "could not record dispatcher events: \(error)")
        }
        for (job, outcome) in finished { onJobFinished(job, outcome) }
    }
}
