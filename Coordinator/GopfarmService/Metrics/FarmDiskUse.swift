import Foundation

/// Bytes the data directory holds (database, spool, uploads, outputs, thumbnails), for
/// `gopfarm_disk_used_bytes`. A walk of the tree, so `FarmMetrics` takes it at most every
/// `maxAge` seconds, not on every scrape.
struct FarmDiskUse {
    var usedBytes: Int64
    var budgetBytes: Int64?
    var measuredAt: Date

    static let maxAge: TimeInterval = 30

    static func measure(_ config: ServeConfig, now: Date = Date()) -> FarmDiskUse {
        var total: Int64 = 0
        let keys: [URLResourceKey] = [.isRegularFileKey, .totalFileAllocatedSizeKey, .fileSizeKey]
        if let walk = FileManager.default.enumerator(at: config.dataDirectory, includingPropertiesForKeys: keys) {
            for case let url as URL in walk {
                guard let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
                total += Int64(values.totalFileAllocatedSize ?? values.fileSize ?? 0)
            }
        }
        return FarmDiskUse(usedBytes: total, budgetBytes: nil, measuredAt: now)
    }
}
