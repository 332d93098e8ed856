import Foundation

/// How long the coordinator keeps what a job leaves in its data directory (`serve --keep-failed`,
/// `--keep-uploads`, `--disk-budget`). A done job's spool (segment payloads and per-segment
/// analyses) is of no more use once its output is stitched and goes at once; a failed or
/// cancelled job's is kept `keepFailedSeconds` for a post-mortem. Uploads go
/// `keepUploadsSeconds` after the last job that used them ended (after their upload, when no
/// job used them). Ended webhook deliveries (delivered or given up) and their tries go
/// `keepDeliveriesSeconds` after they were queued, and a job's own webhooks with the job.
/// Outputs, reports and thumbnails stay until `gopfarm jobs delete`.
public struct RetentionPolicy: Sendable {
    public var keepFailedSeconds: Double = 7 * 86400
    public var keepUploadsSeconds: Double = 86400
    public var keepDeliveriesSeconds: Double = 30 * 86400
    /// Spool and upload files no row names (a crash between writing and recording) go after
    /// this long while running, and at once when the coordinator starts.
    public var orphanSeconds: Double = 3600
    /// New uploads and submissions are refused (507) once the data directory holds this much.
    public var diskBudgetBytes: Int64?

    public init() {}

    /// How often the sweep runs: often enough for the shortest period, at most once a second.
    public var sweepSeconds: Double { min(60, max(1, min(keepFailedSeconds, keepUploadsSeconds) / 4)) }
}
