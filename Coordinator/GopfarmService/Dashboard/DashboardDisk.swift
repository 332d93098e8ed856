import Foundation

/// Free space on the data directory's file system, as the agents page shows it.
enum DashboardDisk {
    /// `412 GB free of 1.0 TB`, nil when the file system cannot be asked.
    static func use(of directory: URL) -> String? {
        guard let a = try? FileManager.default.attributesOfFileSystem(forPath: directory.path),
              let free = (a[.systemFreeSize] as? NSNumber)?.int64Value, let size = (a[.systemSize] as? NSNumber)?.int64Value,
              size > 0 else { return nil }
        return "\(DashboardFormat.bytes(Int(free))) free of \(DashboardFormat.bytes(Int(size)))"
    }
}
