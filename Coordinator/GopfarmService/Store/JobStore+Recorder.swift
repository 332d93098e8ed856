import Foundation
import GopfarmCommon
import GopfarmCoordinator
import GRDB

/// Persists the dispatcher's events in one transaction per loop turn; a finished job is handed
/// to `onJobFinished` (the service stitches it) after the transaction committed.
struct StoreRecorder: DispatchRecorder {
    let store: JobStore
    let onJobFinished: @Sendable (String, DispatchOutcome) -> Void

    func record(_ events: [DispatchEvent]) {
        var finished: [(String, DispatchOutcome)] = []
        do {
            try store.pool.write { db in
                let now = Date()
                for event in events {
                    switch event {
                    case .assigned(let job, let n, let attempt, let agent, let speculative):
                        try db.execute(sql: "INSERT INTO attempts (jobId, idx, attempt, run, agent, speculative, assignedAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       arguments: [job, n, attempt, store.run, agent, speculative, now])
                        try db.execute(sql: "UPDATE segments SET state = 'running', attempts = attempts + 1 WHERE jobId = ? AND idx = ? AND state != 'done'",
                                       arguments: [job, n])
                    case .completed(let job, let c, let seconds):
                        let r = c.result
                        try db.execute(sql: """
                            UPDATE segments SET state = 'done', agent = ?, frames = ?, bytes = ?, sha256 = ?, path = ?, seconds = ?,
                            result = ?, completedAt = ? WHERE jobId = ? AND idx = ?
                            """, arguments: [c.agent, r.frames, r.payloadBytes, r.payloadSHA256, c.path.path, seconds,
                                             JobStore.json(r), now, job, r.segment])
                        try db.execute(sql: "UPDATE attempts SET outcome = 'done', endedAt = ? WHERE jobId = ? AND idx = ? AND attempt = ?",
                                       arguments: [now, job, r.segment, r.attempt])
                        try db.execute(sql: "UPDATE jobs SET segmentsDone = segmentsDone + 1, framesDone = framesDone + ? WHERE id = ?",
                                       arguments: [r.frames, job])
                    case .requeued(let job, let n, let reason):
                        try db.execute(sql: "UPDATE segments SET state = 'pending' WHERE jobId = ? AND idx = ? AND state = 'running'", arguments: [job, n])
                        try db.execute(sql: "INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'requeued', ?)",
                                       arguments: [now, job, "segment \(n): \(reason)"])
                    case .segmentFailed(let job, let n, let agent, let message):
                        try db.execute(sql: "INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, 'segment-failed', ?)",
                                       arguments: [now, job, "segment \(n) on \(agent): \(message)"])
                    case .jobFinished(let job, let outcome):
                        finished.append((job, outcome))
                    case .agentJoined(let a):
                        try db.execute(sql: """
                            INSERT INTO agents (name, publicKey, state, slots, threads, cores, version, firstSeen, lastSeen)
                            VALUES (?, ?, 'connected', ?, ?, ?, ?, ?, ?)
                            ON CONFLICT(name) DO UPDATE SET publicKey = excluded.publicKey, state = 'connected', slots = excluded.slots,
                            threads = excluded.threads, cores = excluded.cores, version = excluded.version, lastSeen = excluded.lastSeen
                            """, arguments: [a.name, a.publicKey, a.slots, a.threads, a.cores, a.version, now, now])
                        try db.execute(sql: "INSERT INTO events (at, kind, message) VALUES (?, 'agent', ?)", arguments: [now, "\(a.name) joined"])
                    case .agentLeft(let name, let reason):
                        try db.execute(sql: "UPDATE agents SET state = 'gone', lastSeen = ?, lastReason = ? WHERE name = ?",
                                       arguments: [now, reason, name])
                        try db.execute(sql: "INSERT INTO events (at, kind, message) VALUES (?, 'agent', ?)", arguments: [now, "\(name) gone: \(reason)"])
                    }
                }
            }
        } catch {
            store.event(job: nil, kind: "store-error", "could not record dispatcher events: \(error)")
        }
        for (job, outcome) in finished { onJobFinished(job, outcome) }
    }
}
