import Foundation
import GopfarmCommon
import Synchronization

/// Content-addressed files in the spool: written once, atomically (a temporary file renamed into
/// place, so a crash never leaves a partial file under a hash name), and never rewritten.
///
/// Plain POSIX calls: the dispatcher spools thousands of small results a second, and
/// `Data.write(to:options: .atomic)` with `FileManager.fileExists` cost more than the rest of
/// a result's handling.
///
/// Two jobs whose segments encode to the same bytes share one file. The retention sweep may be
/// removing it as a finished job's while a running job's result reuses it, before that job's row
/// names it: the reuse and the sweep's removal are one lock apart, and a file reused in the last
/// minute is not removed (the row that names it is written within that).
public enum SpoolFile {
    private static let reused = Mutex<[String: ContinuousClock.Instant]>([:])
    static let reuseGrace: Duration = .seconds(60)

    /// Writes `data` to `path` unless a file is there already (same name, same content).
    static func write(_ data: Data, to path: String) throws {
        let there = reused.withLock { reused -> Bool in
            guard access(path, F_OK) == 0 else { return false }
            reused[path] = .now
            return true
        }
        if there { return }
        let temporary = path + ".partial"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw error("cannot create", temporary) }
        if !data.withUnsafeBytes({ OutputPlace.writeAll($0, to: fd) }) {
            let e = error("cannot write", temporary)
            close(fd)
            unlink(temporary)
            throw e
        }
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            let e = error("cannot finish", path)
            unlink(temporary)
            throw e
        }
    }

    /// Removes a file the retention sweep found no job needs, unless a result reused it within
    /// `reuseGrace`; false when it is kept or was not there.
    public static func remove(_ path: String) -> Bool {
        reused.withLock { reused in
            let now = ContinuousClock.now
            if let at = reused[path] {
                guard now - at >= reuseGrace else { return false }
                reused[path] = nil
            }
            if reused.count > 10_000 { reused = reused.filter { now - $0.value < reuseGrace } }
            return unlink(path) == 0
        }
    }

    private static func error(_ what: String, _ path: String) -> WriteError {
        // A full disk is said as such, with the directory to free (the file is the spool's own).
        if errno == ENOSPC {
            return WriteError(description: DiskFull.jobError(noRoomFor: "segment results", in: (path as NSString).deletingLastPathComponent))
        }
        return WriteError(description: "the coordinator \(what) its spool file \(path): \(String(cString: strerror(errno)))")
    }

    /// The coordinator's own disk failed it (full, gone read-only): no agent is at fault, and
    /// another attempt would fail the same way.
    struct WriteError: Error, CustomStringConvertible {
        var description: String
    }
}
