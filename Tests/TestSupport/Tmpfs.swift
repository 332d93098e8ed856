import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small tmpfs mounted for one test, to fill a disk for real (needs root); `remove()` unmounts it.
public struct Tmpfs: Sendable {
    public let path: URL

    /// Whether this process may mount one (root, and no container rule against it).
    public static let available: Bool = {
        guard getuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-tmpfs-probe-\(getpid())")
        guard let mount = try? Tmpfs(at: probe, size: "1m") else { return false }
        mount.remove()
        try? FileManager.default.removeItem(at: probe)
        return true
    }()

    public init(at path: URL, size: String) throws {
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        guard Glibc.mount("tmpfs", path.path, "tmpfs", 0, "size=\(size)") == 0 else {
            throw TmpfsError(description: "cannot mount a tmpfs on \(path.path): \(String(cString: strerror(errno)))")
        }
        self.path = path
    }

    /// Unmounts it (lazily: a process still holding a file there does not keep it mounted).
    public func remove() {
        _ = umount2(path.path, Int32(MNT_DETACH))
    }
}

public struct TmpfsError: Error, CustomStringConvertible {
    public var description: String
}
