import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import Logging

/// One pass of retention: reads the store and the spool and uploads directories, asks a
/// `RetentionPlan` what may go, removes it, and measures the data directory for the disk meter.
struct RetentionSweeper {
    let config: ServeConfig
    let store: JobStore
    let disk: DiskMeter
    let logger: Logger
    /// When this coordinator started: files no row names that are older are an earlier run's.
    let startedAt: Date

    struct Removed: Equatable {
        var spoolFiles = 0
        var uploads = 0
        var bytes: Int64 = 0
    }

    @discardableResult
    func sweep(atStart: Bool = false, now: Date = Date()) async throws -> Removed {
        let orphansBefore = atStart ? startedAt.addingTimeInterval(-1) : now.addingTimeInterval(-config.retention.orphanSeconds)
        let jobs = try await store.retentionJobs()
        let uploads = try await store.retentionUploads()
        let plan = RetentionPlan(jobs: jobs, uploads: uploads, spool: Self.files(in: config.spool), uploadFiles: Self.files(in: config.uploads),
                                 policy: config.retention, now: now, orphansBefore: orphansBefore)
        var removed = Removed()
        for name in plan.spoolToRemove where removeSpool(config.spool.appendingPathComponent(name).path, &removed) { removed.spoolFiles += 1 }
        for name in plan.strayUploads { _ = remove(config.uploads.appendingPathComponent(name).path, &removed) }
        for upload in plan.uploadsToRemove {
            _ = remove(upload.path, &removed)
            removed.uploads += 1
        }
        try await store.deleteUploads(plan.uploadsToRemove.map(\.id))
        // A job that ended without an output (failed, cancelled) leaves no empty folder behind.
        let ended = Set(jobs.filter { $0.state.isFinal }.map(\.id))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: config.outputs.path)) ?? [] where ended.contains(name) {
            _ = rmdir(config.outputs.appendingPathComponent(name).path)   // only when empty
        }
        let deliveries = try await store.pruneWebhookLog(before: now.addingTimeInterval(-config.retention.keepDeliveriesSeconds))
        if deliveries > 0 { logger.info("retention removed webhook deliveries", metadata: ["deliveries": "\(deliveries)"]) }
        if removed != Removed() {
            logger.info("retention removed files", metadata: ["spool": "\(removed.spoolFiles)", "uploads": "\(removed.uploads)", "bytes": "\(removed.bytes)"])
            await store.event(job: nil, kind: "retention", "removed \(removed.spoolFiles) spool files and \(removed.uploads) uploads (\(removed.bytes) bytes)")
        }
        _ = disk.measure(config)
        // Give memory a finished job freed back to the system: glibc keeps freed heap for
        // reuse, so after a long title's stitch and analysis the coordinator stayed at its peak.
        HeapTrim.now()
        return removed
    }

    /// A deleted job's files: output, thumbnails, and the spool files no other job's segments
    /// name (`jobs`: every job's, read before its rows went). Returns the bytes removed.
    func removeFiles(ofDeleted id: String, jobs: [RetentionPlan.Job]) -> Int64 {
        let others = Set(jobs.filter { $0.id != id }.flatMap(\.spoolFiles))
        var removed = Removed()
        for name in Set(jobs.first { $0.id == id }?.spoolFiles ?? []) where !others.contains(name) {
            _ = removeSpool(config.spool.appendingPathComponent(name).path, &removed)
        }
        for dir in [config.outputs.appendingPathComponent(id), config.thumbnails.appendingPathComponent(id)] {
            removed.bytes += DiskMeter.size(of: dir)
            try? FileManager.default.removeItem(at: dir)
        }
        return removed.bytes
    }

    /// Removes a spool file, counting its bytes, unless a running job's result just reused it
    /// (`SpoolFile.remove`); false when it stays or was not there.
    private func removeSpool(_ path: String, _ removed: inout Removed) -> Bool {
        let bytes = DiskMeter.size(ofFile: path)
        guard SpoolFile.remove(path) else { return false }
        removed.bytes += bytes
        return true
    }

    /// Removes a file, counting its bytes; false when it was not there.
    private func remove(_ path: String, _ removed: inout Removed) -> Bool {
        let bytes = DiskMeter.size(ofFile: path)
        guard unlink(path) == 0 else { return false }
        removed.bytes += bytes
        return true
    }

    static func files(in directory: URL) -> [RetentionPlan.File] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.compactMap { name in
            var st = stat()
            guard lstat(directory.path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
            return RetentionPlan.File(name: name, modified: Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec)))
        }
    }
}
