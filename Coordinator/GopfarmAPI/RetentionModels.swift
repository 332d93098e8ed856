import Foundation

/// Bytes the coordinator's data directory holds, by part, and its budget (`serve --disk-budget`),
/// as `GET /v1/coordinator` reports them. Measured by the retention sweep (at most a sweep
/// period old) and kept up to date by uploads in between.
public struct DiskUsage: Codable, Sendable, Equatable {
    public var databaseBytes: Int64
    public var spoolBytes: Int64
    public var uploadsBytes: Int64
    public var outputsBytes: Int64
    public var thumbnailsBytes: Int64
    public var totalBytes: Int64
    /// Nil: no budget.
    public var budgetBytes: Int64?
    public var measuredAt: Date
    /// Bytes free on the file system holding the data directory, and its size, read when asked
    /// (not at `measuredAt`): jobs fail once nothing is free. Nil where it cannot be read.
    public var freeBytes: Int64?
    public var fileSystemBytes: Int64?

    public init(databaseBytes: Int64, spoolBytes: Int64, uploadsBytes: Int64, outputsBytes: Int64, thumbnailsBytes: Int64,
                budgetBytes: Int64?, measuredAt: Date) {
        self.databaseBytes = databaseBytes
        self.spoolBytes = spoolBytes
        self.uploadsBytes = uploadsBytes
        self.outputsBytes = outputsBytes
        self.thumbnailsBytes = thumbnailsBytes
        totalBytes = databaseBytes + spoolBytes + uploadsBytes + outputsBytes + thumbnailsBytes
        self.budgetBytes = budgetBytes
        self.measuredAt = measuredAt
    }
}

/// The answer to `DELETE /v1/jobs/{id}?purge=true`.
public struct JobDeleted: Codable, Sendable, Equatable {
    public var job: String
    public var removedBytes: Int64
    public init(job: String, removedBytes: Int64) {
        self.job = job
        self.removedBytes = removedBytes
    }
}
