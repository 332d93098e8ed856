import Foundation

/// Free space on the data directory's file system, as the agents page shows it.
enum DashboardDisk {
    /// Free and total bytes, nil when the file system cannot be asked.
    static func use(of directory: URL) -> (free: Int, size: Int)? {
        guard let a = try? FileManager.default.attributesOfFileSystem(forPath: directory.path),
              let free = (a[.systemFreeSize] as? NSNumber)?.intValue, let size = (a[.systemSize] as? NSNumber)?.intValue,
              size > 0 else { return nil }
        return (free, size)
    }
}
