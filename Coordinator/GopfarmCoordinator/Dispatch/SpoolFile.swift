import Foundation
import GopfarmCommon

/// Content-addressed files in the spool: written once, atomically (a temporary file renamed into
/// place, so a crash never leaves a partial file under a hash name), and never rewritten.
///
/// Plain POSIX calls: the dispatcher spools thousands of small results a second, and
/// `Data.write(to:options: .atomic)` with `FileManager.fileExists` cost more than the rest of
/// a result's handling.
enum SpoolFile {
    /// Writes `data` to `path` unless a file is there already (same name, same content).
    static func write(_ data: Data, to path: String) throws {
        if access(path, F_OK) == 0 { return }
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
