import Foundation
import GopfarmCommon

/// A one-shot job's spool beside its output (`.gopfarm-spool-ID/`: encoded segments, agent logs),
/// marked with the owning process while the job runs (`owner.pid`). A spool whose owner died
/// without cleaning up (kill -9, a power cut) is removed by the next job in that directory; one
/// kept on purpose (`--keep-spool`) loses its mark when its job ends and is left alone.
struct SpoolDirectory {
    static let prefix = ".gopfarm-spool-"
    static let mark = "owner.pid"
    let url: URL

    /// Makes `.gopfarm-spool-ID/` in `directory`, marked with this process.
    static func create(in directory: URL, id: String) throws(MediaError) -> SpoolDirectory {
        let url = directory.appendingPathComponent(prefix + id)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError(.invalidOption, "cannot create the output's directory \(directory.path): \(OutputPlace.reason(error))")
        }
        // mkdir(2) and write(2) themselves, for the OS's reason ("Read-only file system").
        guard mkdir(url.path, 0o755) == 0 else {
            throw MediaError(.invalidOption, "cannot write beside the output in \(directory.path): \(String(cString: strerror(errno)))")
        }
        let markPath = url.appendingPathComponent(mark).path
        let fd = open(markPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let written = fd >= 0 && Array("\(getpid())\n".utf8).withUnsafeBytes { OutputPlace.writeAll($0, to: fd) }
        let reason = String(cString: strerror(errno))
        if fd >= 0 { close(fd) }
        guard written else {
            try? FileManager.default.removeItem(at: url)
            throw MediaError(.invalidOption, "cannot write beside the output in \(directory.path): \(reason)")
        }
        return SpoolDirectory(url: url)
    }

    /// Removes the spools in `directory` whose owner process is gone; returns their names.
    static func removeOrphans(in directory: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            guard name.hasPrefix(prefix) else { return false }
            let spool = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: spool.appendingPathComponent(mark), encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, !isAlive(pid) else { return false }
            return (try? FileManager.default.removeItem(at: spool)) != nil
        }
    }

    /// Whether the process runs: it exists and is not a zombie (killed, not yet reaped).
    static func isAlive(_ pid: Int32) -> Bool {
        if kill(pid, 0) != 0, errno == ESRCH { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The job is over: the spool goes, or (kept) loses its owner mark.
    func finish(keep: Bool) {
        if keep { OutputPlace.removeFile(url.appendingPathComponent(Self.mark).path) } else { try? FileManager.default.removeItem(at: url) }
    }
}
