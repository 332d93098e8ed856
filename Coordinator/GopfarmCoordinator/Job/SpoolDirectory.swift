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
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try Data("\(getpid())\n".utf8).write(to: url.appendingPathComponent(mark))
        } catch {
            throw MediaError(.invalidOption, "cannot write beside the output: \(OutputPlace.reason(error))", path: url.path)
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
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
                  kill(pid, 0) != 0, errno == ESRCH else { return false }
            return (try? FileManager.default.removeItem(at: spool)) != nil
        }
    }

    /// The job is over: the spool goes, or (kept) loses its owner mark.
    func finish(keep: Bool) {
        if keep { OutputPlace.removeFile(url.appendingPathComponent(Self.mark).path) } else { try? FileManager.default.removeItem(at: url) }
    }
}
