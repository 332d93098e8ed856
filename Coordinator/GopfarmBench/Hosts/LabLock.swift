import Foundation

/// One lab per machine: every lab holds an exclusive `flock` on one file while it exists, since
/// labs share names and the 198.18.0.0/15 range. The kernel drops the lock when its holder dies,
/// so a crashed lab never blocks the next one, whose first act is to clean up after it.
enum LabLock {
    static var path: String {
        let dir = FileManager.default.fileExists(atPath: "/run/lock") ? "/run/lock" : NSTemporaryDirectory()
        return (dir as NSString).appendingPathComponent("gopfarm-hostlab.lock")
    }

    /// Takes the lock, waiting up to `seconds` for a running lab to finish; returns the
    /// descriptor that holds it (close-on-exec, so launched processes do not keep it).
    static func acquire(waiting seconds: Double) throws(HostLabError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw HostLabError(.unavailable, "cannot open the lab lock \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let holder = owner(fd)
                close(fd)
                throw HostLabError(.busy, "another emulated-host lab is running on this machine\(holder.map { " (pid \($0))" } ?? ""); only one can, as they share names and addresses")
            }
            usleep(100_000)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// Takes the lock only if it is free now; nil while another lab holds it.
    static func acquireIfFree() -> Int32? {
        try? acquire(waiting: 0)
    }

    static func release(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// The pid the holder wrote into the file.
    private static func owner(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
