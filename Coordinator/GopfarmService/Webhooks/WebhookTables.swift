import GRDB

/// The webhook tables (migration "7-c-webhooks"): webhooks, their deliveries (the durable queue
/// and the delivery log), every try of each, and how far the event log was read.
enum WebhookTables {
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE webhooks (
                id TEXT PRIMARY KEY, owner TEXT NOT NULL, scope TEXT NOT NULL, jobId TEXT, url TEXT NOT NULL,
                secret TEXT, events TEXT NOT NULL DEFAULT '', createdAt DATETIME NOT NULL);
            CREATE INDEX webhooks_owner ON webhooks(owner);
            CREATE INDEX webhooks_job ON webhooks(jobId);
            CREATE TABLE webhook_deliveries (
                id TEXT PRIMARY KEY, webhookId TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                event TEXT NOT NULL, jobId TEXT, body BLOB NOT NULL, createdAt DATETIME NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0, nextAttemptAt DATETIME, lastStatus INTEGER, lastError TEXT,
                deliveredAt DATETIME);
            CREATE INDEX webhook_deliveries_due ON webhook_deliveries(nextAttemptAt) WHERE nextAttemptAt IS NOT NULL;
            CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhookId);
            CREATE TABLE webhook_attempts (
                deliveryId TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE, attempt INTEGER NOT NULL,
                at DATETIME NOT NULL, status INTEGER, error TEXT, seconds DOUBLE NOT NULL, PRIMARY KEY (deliveryId, attempt));
            CREATE TABLE webhook_cursor (id INTEGER PRIMARY KEY CHECK (id = 1), lastEventId INTEGER NOT NULL);
            INSERT INTO webhook_cursor (id, lastEventId) SELECT 1, COALESCE(MAX(id), 0) FROM events;
            """)
    }
}
