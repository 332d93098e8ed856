import Foundation
import GRDB

/// The coordinator's memory: SQLite (WAL) in the data directory, with numbered migrations.
/// Jobs, their segments and every attempt, agents, events, tokens, allowed agent keys and
/// uploads. Safe to use from any thread; writes are short transactions.
public final class JobStore: Sendable {
    let pool: DatabasePool
    /// This coordinator process's run number: attempts record it, so a restart's work is visible.
    public let run: Int

    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
        run = try pool.write { db -> Int in
            try db.execute(sql: "INSERT INTO runs (startedAt) VALUES (?)", arguments: [Date()])
            return Int(db.lastInsertedRowID)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("1-jobs-segments-agents-events") { db in
            try db.execute(sql: """
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, startedAt DATETIME NOT NULL);
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, owner TEXT NOT NULL, priority TEXT NOT NULL,
                    state TEXT NOT NULL, input TEXT NOT NULL, outputName TEXT NOT NULL, outputPath TEXT,
                    submission TEXT NOT NULL, submittedAt DATETIME NOT NULL, startedAt DATETIME, finishedAt DATETIME,
                    error TEXT, warnings TEXT NOT NULL DEFAULT '[]', segmentsTotal INTEGER NOT NULL DEFAULT 0,
                    framesTotal INTEGER NOT NULL DEFAULT 0, segmentsDone INTEGER NOT NULL DEFAULT 0,
                    framesDone INTEGER NOT NULL DEFAULT 0, outputFrames INTEGER, outputBytes INTEGER);
                CREATE INDEX jobs_state ON jobs(state);
                CREATE INDEX jobs_owner ON jobs(owner);
                CREATE TABLE segments (
                    jobId TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
                    state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, agent TEXT,
                    expectedFrames INTEGER NOT NULL, startPTS INTEGER NOT NULL, primed BOOLEAN NOT NULL,
                    frames INTEGER, bytes INTEGER, sha256 TEXT, path TEXT, seconds DOUBLE, result TEXT,
                    completedAt DATETIME, PRIMARY KEY (jobId, idx));
                CREATE TABLE attempts (
                    jobId TEXT NOT NULL, idx INTEGER NOT NULL, attempt INTEGER NOT NULL, run INTEGER NOT NULL,
                    agent TEXT NOT NULL, speculative BOOLEAN NOT NULL, assignedAt DATETIME NOT NULL,
                    outcome TEXT, endedAt DATETIME);
                CREATE INDEX attempts_segment ON attempts(jobId, idx);
                CREATE TABLE agents (
                    name TEXT PRIMARY KEY, publicKey TEXT, state TEXT NOT NULL, slots INTEGER NOT NULL,
                    threads INTEGER NOT NULL, cores INTEGER NOT NULL, version TEXT NOT NULL,
                    firstSeen DATETIME NOT NULL, lastSeen DATETIME NOT NULL, segmentsDone INTEGER NOT NULL DEFAULT 0,
                    lastReason TEXT);
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, at DATETIME NOT NULL, jobId TEXT, kind TEXT NOT NULL,
                    message TEXT NOT NULL);
                CREATE INDEX events_job ON events(jobId);
                """)
        }
        m.registerMigration("2-tokens-keys-uploads") { db in
            try db.execute(sql: """
                CREATE TABLE tokens (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, role TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE, createdAt DATETIME NOT NULL);
                CREATE TABLE agentKeys (publicKey TEXT PRIMARY KEY, name TEXT, addedAt DATETIME NOT NULL);
                CREATE TABLE uploads (
                    id TEXT PRIMARY KEY, owner TEXT NOT NULL, path TEXT NOT NULL, fileName TEXT NOT NULL,
                    bytes INTEGER NOT NULL, createdAt DATETIME NOT NULL);
                """)
        }
        m.registerMigration("3-analyses") { db in
            try db.execute(sql: """
                CREATE TABLE analyses (
                    jobId TEXT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE, json BLOB NOT NULL,
                    createdAt DATETIME NOT NULL);
                """)
        }
        m.registerMigration("4-timings") { db in
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN phases TEXT;
                ALTER TABLE attempts ADD COLUMN extractSeconds DOUBLE NOT NULL DEFAULT 0;
                ALTER TABLE attempts ADD COLUMN sentBytes INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE attempts ADD COLUMN returnedBytes INTEGER;
                ALTER TABLE attempts ADD COLUMN decodeSeconds DOUBLE;
                ALTER TABLE attempts ADD COLUMN encodeSeconds DOUBLE;
                ALTER TABLE attempts ADD COLUMN analysisSeconds DOUBLE;
                """)
        }
        // The dashboard's cluster throughput reads the last hour's completed segments.
        m.registerMigration("8-d-segments-completed-index") { db in
            try db.execute(sql: "CREATE INDEX segments_completed ON segments(completedAt)")
        }
        m.registerMigration("7-c-webhooks") { db in try WebhookTables.create(db) }
        m.registerMigration("7-c-presets") { db in try PresetTables.create(db) }
        m.registerMigration("5-a-token-names-expiry") { db in try migrateTokenNamesExpiry(db) }
        // Each /metrics scrape reads the attempts that ended since the previous one.
        m.registerMigration("6-b-attempts-ended-index") { db in
            try db.execute(sql: "CREATE INDEX attempts_ended ON attempts(endedAt)")
        }
        m.registerMigration("015_ladder-renditions") { db in try LadderTables.create(db) }
        m.registerMigration("024_webhook-gone") { db in try db.execute(sql: "ALTER TABLE webhooks ADD COLUMN goneAt DATETIME") }
        m.registerMigration("025_analysis-summary") { db in try db.execute(sql: "ALTER TABLE analyses ADD COLUMN summary BLOB") }
        return m
    }

    public func event(job: String?, kind: String, _ message: String) {
        _ = try? pool.write { db in try Self.insertEvent(db, job: job, kind: kind, message) }
    }

    static func insertEvent(_ db: Database, job: String?, kind: String, _ message: String) throws {
        try db.execute(sql: "INSERT INTO events (at, jobId, kind, message) VALUES (?, ?, ?, ?)", arguments: [Date(), job, kind, message])
    }
}
