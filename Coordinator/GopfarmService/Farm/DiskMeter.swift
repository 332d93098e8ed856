import Foundation
import GopfarmAPI
import Synchronization

/// The data directory's use, as the last retention sweep measured it plus what uploads added
/// since: the budget check and `/v1/coordinator` read it without walking the tree.
final class DiskMeter: Sendable {
    private let last = Mutex<DiskUsage?>(nil)
    let budget: Int64?

    init(budget: Int64?) { self.budget = budget }

    var usage: DiskUsage? { last.withLock { $0 } }

    /// The last measure with the file system's free space and size read now (one statfs):
    /// what `GET /v1/coordinator` reports.
    func usage(fileSystemOf directory: URL) -> DiskUsage? {
        guard var use = usage else { return nil }
        if let fs = Self.fileSystem(of: directory) {
            use.freeBytes = fs.free
            use.fileSystemBytes = fs.size
        }
        return use
    }

    /// Free (for this process: not the blocks kept for root) and total bytes of the file system
    /// holding `directory`; nil when it cannot be asked.
    static func fileSystem(of directory: URL) -> (free: Int64, size: Int64)? {
        var fs = statvfs()
        guard statvfs(directory.path, &fs) == 0, fs.f_blocks > 0 else { return nil }
        let unit = Int64(fs.f_frsize)
        return (Int64(fs.f_bavail) * unit, Int64(fs.f_blocks) * unit)
    }

    /// Walks the data directory (run by the sweep, off the cooperative pool).
    func measure(_ config: ServeConfig) -> DiskUsage {
        let dbBytes = ["", "-wal", "-shm"].reduce(Int64(0)) { $0 + Self.size(ofFile: config.databasePath + $1) }
        let usage = DiskUsage(databaseBytes: dbBytes, spoolBytes: Self.size(of: config.spool), uploadsBytes: Self.size(of: config.uploads),
                              outputsBytes: Self.size(of: config.outputs), thumbnailsBytes: Self.size(of: config.thumbnails),
                              budgetBytes: budget, measuredAt: Date())
        last.withLock { $0 = usage }
        return usage
    }

    /// An upload landed: counted at once, before the next sweep measures.
    func added(uploadBytes: Int64) {
        last.withLock { usage in
            guard let old = usage else { return }
            usage = DiskUsage(databaseBytes: old.databaseBytes, spoolBytes: old.spoolBytes, uploadsBytes: old.uploadsBytes + uploadBytes,
                              outputsBytes: old.outputsBytes, thumbnailsBytes: old.thumbnailsBytes, budgetBytes: old.budgetBytes,
                              measuredAt: old.measuredAt)
        }
    }

    /// The 507 sentence when `incoming` more bytes would pass the budget; nil when they fit.
    func refusal(incoming: Int64 = 0, what: String) -> String? {
        guard let budget, let used = usage?.totalBytes, used + incoming > budget else { return nil }
        return "the coordinator's data directory is at its disk budget (\(used) of \(budget) bytes used), so \(what) is refused; delete finished jobs (gopfarm jobs delete ID) or raise --disk-budget"
    }

    static func size(ofFile path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_blocks) * 512 : 0
    }

    /// Bytes on disk under a directory (allocated blocks: what fills the disk).
    static func size(of directory: URL) -> Int64 {
        guard let walk = FileManager.default.enumerator(atPath: directory.path) else { return 0 }
        var total: Int64 = 0
        while let name = walk.nextObject() as? String {
            var st = stat()
            let path = directory.path + "/" + name
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int64(st.st_blocks) * 512 }
        }
        return total
    }
}
