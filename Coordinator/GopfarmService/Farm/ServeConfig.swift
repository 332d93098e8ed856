import Foundation
import GopfarmCoordinator

/// How `gopfarm serve` runs: where it listens, keeps its data and may read inputs.
public struct ServeConfig: Sendable {
    public var dataDirectory: URL
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    public var bind = "tcp://0.0.0.0:5555"
    /// Plain TCP for agents (no CURVE): only when asked for.
    public var insecure = false
    /// Submitted paths must lie inside one of these (after resolving links).
    public var inputRoots: [String]
    public var maxUploadBytes: Int64 = 64 << 30
    /// Seconds an HTTP client may send nothing (mid-request or between requests) before its
    /// connection is closed.
    public var httpIdleSeconds = defaultHTTPIdleSeconds
    public static let defaultHTTPIdleSeconds = 60.0
    /// HTTP connections held at once; nil: all but an eighth of the descriptors this process
    /// may open (`HTTPConnectionGate.defaultLimit`).
    public var httpMaxConnections: Int?
    public var defaultSegmentSeconds = 10.0
    public var timing = DispatchTiming()
    /// What is kept how long in the data directory, and its disk budget.
    public var retention = RetentionPolicy()
    /// When failed webhook deliveries are tried again.
    public var webhookRetry = WebhookRetryPolicy()
    /// Which hosts webhooks may be sent to (not inside the farm's network, by default).
    public var webhookTargets = WebhookTargetPolicy()

    public init(dataDirectory: URL, inputRoots: [String]) {
        self.dataDirectory = dataDirectory
        self.inputRoots = inputRoots
    }

    public var databasePath: String { dataDirectory.appendingPathComponent("gopfarm.sqlite").path }
    public var spool: URL { dataDirectory.appendingPathComponent("spool") }
    public var uploads: URL { dataDirectory.appendingPathComponent("uploads") }
    public var outputs: URL { dataDirectory.appendingPathComponent("outputs") }
    /// Scene thumbnails of finished jobs, a directory per job.
    public var thumbnails: URL { dataDirectory.appendingPathComponent("thumbnails") }
    public var adminTokenPath: URL { dataDirectory.appendingPathComponent("admin-token") }
    public var keyPath: URL { dataDirectory.appendingPathComponent("coordinator.key") }
}
