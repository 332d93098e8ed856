import Foundation

/// The data directory made private and held by one coordinator.
///
/// Private: the process's umask becomes 0077 before anything is created, so every file the
/// coordinator makes (the database with its -wal and -shm, outputs, spool, uploads, thumbnails,
/// keys) is 0600 and every directory 0700, whichever library creates it (SQLite, Foundation,
/// POSIX); what an older version made is brought down to the same modes. Outputs are served
/// over the API, never read from the disk by other users.
///
/// Held: an exclusive `flock` on `gopfarm.lock`, which names the holder's pid. A second
/// coordinator on the same directory would run the same jobs twice and write the same files;
/// it stops with one sentence instead. The kernel drops the lock when the process ends, so a
/// crashed coordinator never leaves it held.
public final class DataDirectoryLock: Sendable {
    public struct Held: Error, CustomStringConvertible, Sendable {
        public var directory: String
        public var pid: Int?
        public var description: String {
            "another coordinator\(pid.map { " (pid \($0))" } ?? "") is using the data directory \(directory): its lock \(directory)/gopfarm.lock is held; stop it or give another --data-dir"
        }
    }

    public struct Failed: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    /// Takes the lock and makes the data directory private; throws `Held` when another process has it.
    public static func acquire(_ config: ServeConfig) throws -> DataDirectoryLock {
        umask(0o077)
        let directory = config.dataDirectory.path
        for dir in [config.dataDirectory, config.spool, config.uploads, config.outputs, config.thumbnails] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let lockPath = config.dataDirectory.appendingPathComponent("gopfarm.lock").path
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failed(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = (try? String(contentsOfFile: lockPath, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            close(fd)
            if reason == EWOULDBLOCK { throw Held(directory: directory, pid: holder) }
            throw Failed(description: "cannot lock \(lockPath): \(String(cString: strerror(reason)))")
        }
        let lock = DataDirectoryLock(fd: fd)
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        makePrivate(config)
        return lock
    }

    /// Modes of what an older version made: directories 0700, files 0600 (the whole tree).
    static func makePrivate(_ config: ServeConfig) {
        chmod(config.dataDirectory.path, 0o700)
        guard let walk = FileManager.default.enumerator(at: config.dataDirectory, includingPropertiesForKeys: [.isDirectoryKey, .isSymbolicLinkKey]) else { return }
        for case let url as URL in walk {
            let values = try? url.resourceValues(forKeys: [.isDirectoryKey, .isSymbolicLinkKey])
            if values?.isSymbolicLink == true { continue }
            chmod(url.path, values?.isDirectory == true ? 0o700 : 0o600)
        }
    }
}
