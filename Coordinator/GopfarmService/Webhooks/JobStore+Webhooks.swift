import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB

/// A delivery whose next try is due, with what sending it needs.
struct DueDelivery: Sendable {
    var id: String
    var url: String
    var secret: String?
    var event: WebhookEvent
    var body: Data
    var attempts: Int
}

/// Webhooks and their delivery queue. Deliveries are rows: made from the event log in the same
/// transaction that moves the log's cursor, tried when `nextAttemptAt` is due, and kept, with
/// every try, as the delivery log.
extension JobStore {
    static func newWebhookID(_ prefix: String) -> String {
        prefix + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)).lowercased()
    }

    /// Adds a webhook; nil when `limit` is given and `owner` already keeps that many of `scope`
    /// (a job's own webhooks not counted).
    func createWebhook(owner: String, scope: WebhookScope, job: String? = nil, url: String, secret: String?,
                       events: [WebhookEvent], limit: Int? = nil) async throws -> WebhookView? {
        let view = WebhookView(id: Self.newWebhookID("wh_"), owner: owner, scope: scope, job: job, url: url, events: events,
                               createdAt: Date(), signed: secret != nil)
        return try await pool.write { db in
            if let limit, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhooks WHERE owner = ? AND scope = ? AND jobId IS NULL",
                                           arguments: [owner, scope.rawValue]) ?? 0 >= limit {
                return nil
            }
            try Self.insertWebhook(db, view, secret: secret)
            return view
        }
    }

    private static func insertWebhook(_ db: Database, _ w: WebhookView, secret: String?) throws {
        try db.execute(sql: """
            INSERT INTO webhooks (id, owner, scope, jobId, url, secret, events, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [w.id, w.owner, w.scope.rawValue, w.job, w.url, secret,
                             w.events.map(\.rawValue).joined(separator: ","), w.createdAt])
    }

    /// The caller's webhooks (`owner` nil: every one).
    func webhooks(owner: String?) async throws -> [WebhookView] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhooks WHERE ? IS NULL OR owner = ? ORDER BY createdAt",
                             arguments: [owner, owner]).map(Self.webhookView)
        }
    }

    /// A webhook and its secret, when `owner` (nil: anyone's) may see it.
    func webhook(_ id: String, owner: String?) async throws -> (WebhookView, String?)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM webhooks WHERE id = ? AND (? IS NULL OR owner = ?)",
                                             arguments: [id, owner, owner]) else { return nil }
            return (Self.webhookView(row), row["secret"])
        }
    }

    /// Removes a webhook and its delivery log; false when there is none `owner` may remove.
    func removeWebhook(_ id: String, owner: String?) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhooks WHERE id = ? AND (? IS NULL OR owner = ?)", arguments: [id, owner, owner])
            return db.changesCount == 1
        }
    }

    private static func webhookView(_ row: Row) -> WebhookView {
        let events = (row["events"] as String? ?? "").split(separator: ",").compactMap { WebhookEvent(rawValue: String($0)) }
        var view = WebhookView(id: row["id"], owner: row["owner"], scope: WebhookScope(rawValue: row["scope"]) ?? .producer,
                               job: row["jobId"], url: row["url"], events: events, createdAt: row["createdAt"],
                               signed: (row["secret"] as String?) != nil)
        view.goneAt = row["goneAt"]
        return view
    }

    /// Reads the event log past the cursor and queues a delivery for each webhook that hears of
    /// each line, due now; returns how many it queued.
    func feedWebhooks(limit: Int = 500) async throws -> Int {
        // Most rounds find nothing new: ask without taking the write lock.
        let behind = try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT (SELECT COALESCE(MAX(id), 0) FROM events) > (SELECT lastEventId FROM webhook_cursor WHERE id = 1)")
        }
        guard behind == true else { return 0 }
        return try await pool.write { db in
            let cursor = try Int64.fetchOne(db, sql: "SELECT lastEventId FROM webhook_cursor WHERE id = 1") ?? 0
            let lines = try Row.fetchAll(db, sql: "SELECT id, at, jobId, kind, message FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                         arguments: [cursor, limit])
            guard let last = lines.last else { return 0 }
            var queued = 0
            for line in lines {
                guard let trigger = WebhookTrigger.from(kind: line["kind"], job: line["jobId"], message: line["message"]) else { continue }
                queued += try Self.queue(db, trigger, at: line["at"])
            }
            try db.execute(sql: "UPDATE webhook_cursor SET lastEventId = ? WHERE id = 1", arguments: [last["id"] as Int64])
            return queued
        }
    }

    /// Where a done job's output is: the file, or a ladder's master playlist (else its MPD).
    static func outputURL(_ row: JobRow) -> String {
        guard let ladder = row.decodedSubmission?.settings.ladder else { return "/v1/jobs/\(row.id)/output" }
        return JobLadder.fileURL(job: row.id, file: ladder.packages.contains(.hls) ? "master.m3u8" : "manifest.mpd")
    }

    /// The job as of `event`, whenever the log line is read: the row may have moved on since
    /// (a `job.queued` read after the job started carried its start and frame count, so the
    /// same event's bodies differed by timing). An upload by its uploaded name, as the job view
    /// shows it, not the coordinator's path.
    static func payloadJob(_ row: JobRow, event: WebhookEvent, state: String) -> WebhookPayload.Job {
        let final = [WebhookEvent.jobDone, .jobFailed, .jobCancelled].contains(event)
        return WebhookPayload.Job(
            id: row.id, owner: row.owner, state: state, input: JobViews.shownInput(row.input, upload: row.decodedSubmission?.upload),
            outputName: row.outputName, output: event == .jobDone ? Self.outputURL(row) : nil,
            frames: event == .jobDone ? row.outputFrames : nil, framesTotal: event == .jobQueued ? 0 : row.framesTotal,
            error: event == .jobFailed ? JobViews.shownError(row.error, input: row.input, upload: row.decodedSubmission?.upload) : nil, submittedAt: row.submittedAt,
            startedAt: event == .jobQueued ? nil : row.startedAt, finishedAt: final ? row.finishedAt : nil)
    }

    private static func queue(_ db: Database, _ trigger: WebhookTrigger, at: Date) throws -> Int {
        let event = trigger.event
        var job: WebhookPayload.Job?
        var agent: WebhookPayload.Agent?
        var hooks: [Row]
        switch trigger {
        case .job(let id, _, let state):
            guard let row = try JobRow.fetchOne(db, key: id) else { return 0 }
            if event == .jobQueued { try addJobWebhooks(db, row) }
            job = Self.payloadJob(row, event: event, state: state)
            hooks = try Row.fetchAll(db, sql: """
                SELECT id, events FROM webhooks
                WHERE ((scope = 'producer' AND owner = ?) OR (scope = 'job' AND jobId = ?) OR scope = 'farm') AND goneAt IS NULL
                """, arguments: [row.owner, row.id])
        case .agentLost(let name, let reason):
            agent = WebhookPayload.Agent(name: name, reason: reason)
            hooks = try Row.fetchAll(db, sql: "SELECT id, events FROM webhooks WHERE scope = 'farm' AND goneAt IS NULL")
        }
        var queued = 0
        for hook in hooks {
            let events = (hook["events"] as String).split(separator: ",").map(String.init)
            guard events.isEmpty || events.contains(event.rawValue) else { continue }
            let payload = WebhookPayload(id: newWebhookID("dl_"), event: event, createdAt: at, job: job, agent: agent)
            try insertDelivery(db, payload, webhook: hook["id"], due: Date())
            queued += 1
        }
        return queued
    }

    /// The webhooks a job's submission names become rows of their own (scope `job`).
    private static func addJobWebhooks(_ db: Database, _ row: JobRow) throws {
        for hook in row.decodedSubmission?.webhooks ?? [] {
            let view = WebhookView(id: newWebhookID("wh_"), owner: row.owner, scope: .job, job: row.id, url: hook.url,
                                   events: hook.events ?? [], createdAt: Date(), signed: hook.secret != nil)
            try insertWebhook(db, view, secret: hook.secret)
        }
    }

    static func insertDelivery(_ db: Database, _ payload: WebhookPayload, webhook: String, due: Date?) throws {
        let body = try APIJSON.encoder.encode(payload)
        try db.execute(sql: """
            INSERT INTO webhook_deliveries (id, webhookId, event, jobId, body, createdAt, nextAttemptAt) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [payload.id, webhook, payload.event.rawValue, payload.job?.id, body, payload.createdAt, due])
    }

    /// Queues a `ping` for a webhook, not due (the caller sends it at once); returns it.
    func queuePing(webhook: String) async throws -> DueDelivery? {
        try await pool.write { db in
            guard let hook = try Row.fetchOne(db, sql: "SELECT url, secret FROM webhooks WHERE id = ?", arguments: [webhook]) else { return nil }
            let payload = WebhookPayload(id: Self.newWebhookID("dl_"), event: .ping, createdAt: Date())
            try Self.insertDelivery(db, payload, webhook: webhook, due: nil)
            return DueDelivery(id: payload.id, url: hook["url"], secret: hook["secret"], event: .ping,
                               body: try APIJSON.encoder.encode(payload), attempts: 0)
        }
    }

    /// Deliveries whose next try is due, oldest first.
    func dueDeliveries(now: Date = Date(), limit: Int = 32) async throws -> [DueDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.id, d.event, d.body, d.attempts, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhookId
                WHERE d.nextAttemptAt IS NOT NULL AND d.nextAttemptAt <= ? ORDER BY d.nextAttemptAt, d.rowid LIMIT ?
                """, arguments: [now, limit]).map { row in
                DueDelivery(id: row["id"], url: row["url"], secret: row["secret"], event: WebhookEvent(rawValue: row["event"]) ?? .ping,
                            body: row["body"], attempts: row["attempts"])
            }
        }
    }

    /// Records try number `attempt` of a delivery and what the retry policy decided.
    func recordWebhookAttempt(_ delivery: String, attempt: Int, outcome: WebhookRetryPolicy.Outcome, seconds: Double,
                              decision: WebhookRetryPolicy.Decision, at now: Date = Date()) async throws {
        var status: Int?
        var error: String?
        switch outcome {
        case .answered(let s): status = s
        case .failed(let why): error = why
        }
        var next: Date?
        var delivered: Date?
        switch decision {
        case .delivered: delivered = now
        case .retry(let after): next = now.addingTimeInterval(after)
        case .giveUp(let why): error = [error, why].compactMap { $0 }.joined(separator: "; ")
        }
        try await pool.write { [status, error, next, delivered] db in
            try db.execute(sql: "INSERT OR REPLACE INTO webhook_attempts (deliveryId, attempt, at, status, error, seconds) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [delivery, attempt, now, status, error, seconds])
            try db.execute(sql: """
                UPDATE webhook_deliveries SET attempts = ?, lastStatus = ?, lastError = ?, nextAttemptAt = ?, deliveredAt = ? WHERE id = ?
                """, arguments: [attempt, status, error, next, delivered, delivery])
            // 410 Gone: the receiver says the URL is no more. The webhook hears nothing after,
            // and what it still had queued is given up, as GitHub and Stripe do.
            if status == 410 {
                let hook = "(SELECT webhookId FROM webhook_deliveries WHERE id = ?)"
                try db.execute(sql: "UPDATE webhooks SET goneAt = ? WHERE id = \(hook) AND goneAt IS NULL", arguments: [now, delivery])
                try db.execute(sql: """
                    UPDATE webhook_deliveries SET nextAttemptAt = NULL, lastError = 'given up: the receiver answered 410 Gone to another delivery'
                    WHERE webhookId = \(hook) AND nextAttemptAt IS NOT NULL AND deliveredAt IS NULL
                    """, arguments: [delivery])
            }
        }
    }

    /// The delivery log, newest first: the caller's webhooks' (`owner` nil: all), or one webhook's.
    func webhookDeliveries(owner: String?, webhook: String?, limit: Int = 100) async throws -> [WebhookDeliveryView] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT d.* FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhookId
                WHERE (? IS NULL OR w.owner = ?) AND (? IS NULL OR d.webhookId = ?) ORDER BY d.createdAt DESC, d.rowid DESC LIMIT ?
                """, arguments: [owner, owner, webhook, webhook, limit])
            return try rows.map { row in
                let id: String = row["id"]
                let attempts = try Row.fetchAll(db, sql: "SELECT * FROM webhook_attempts WHERE deliveryId = ? ORDER BY attempt",
                                                arguments: [id]).map { a in
                    WebhookDeliveryView.Attempt(attempt: a["attempt"], at: a["at"], status: a["status"], error: a["error"], seconds: a["seconds"])
                }
                let delivered: Date? = row["deliveredAt"]
                let next: Date? = row["nextAttemptAt"]
                // Given up untried (its webhook answered 410 Gone to another delivery): failed.
                let untried = attempts.isEmpty && (row["lastError"] as String?) == nil
                return WebhookDeliveryView(
                    id: id, webhook: row["webhookId"], event: WebhookEvent(rawValue: row["event"]) ?? .ping, job: row["jobId"],
                    createdAt: row["createdAt"], state: delivered != nil ? "delivered" : next != nil || untried ? "pending" : "failed",
                    nextAttemptAt: next, deliveredAt: delivered, attempts: attempts)
            }
        }
    }
}
