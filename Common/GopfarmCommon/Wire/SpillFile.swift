import Foundation

/// A file without a name that a large segment waits in instead of memory: a message being
/// joined (`WireReassembly`), so the receiver holds a part at a time, not the whole message, and
/// a segment waiting to cross the wire (`hold`). A coordinator held every input in flight and
/// every result being joined (three ffv1 segments at once: some 600 MiB of its own memory).
///
/// The file is unlinked as soon as it is made: nothing is left behind when the process dies, and
/// its blocks are freed when the last slice of the mapped message goes away. The descriptor is
/// owned here and closed when the value goes (a mapping made from it stays valid).
public final class SpillFile: Sendable {
    /// 4 MiB: a typical encoded segment stays in memory, a mezzanine one goes to a file.
    public static let threshold = 4 << 20

    private let fd: Int32

    /// Makes the file in `directory`; a sentence when it cannot be made.
    init(directory: String) throws(WireError) {
        var template = Array((directory + "/.gopfarm-spill-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard made >= 0 else { throw Self.error("cannot make a file for a large segment in \(directory)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(made, F_SETFD, FD_CLOEXEC)  // not inherited by the agents a coordinator starts
        fd = made
    }

    deinit { close(fd) }

    /// Writes `bytes` at `offset`, all of them or a sentence.
    func write(_ bytes: Data, at offset: Int) throws(WireError) {
        var done = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        guard ok else { throw Self.error("cannot write a large segment to disk") }
    }

    /// The first `count` bytes, mapped: the pages are the file's, which the kernel can drop and
    /// read again, not the process's own memory. Unmapped when the last slice of it goes.
    func map(count: Int) throws(WireError) -> Data {
        guard count > 0 else { return Data() }
        guard let address = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0), address != MAP_FAILED else {
            throw Self.error("cannot map a large segment from disk")
        }
        return Data(bytesNoCopy: address, count: count, deallocator: .custom { munmap($0, $1) })
    }

    /// `data` moved into a file in `directory` and mapped from it when it is over `threshold` (a
    /// segment input waiting for its agent, a result waiting for the coordinator to read it);
    /// `data` itself when it is smaller or the file cannot be made or written.
    public static func hold(_ data: Data, in directory: String) -> Data {
        guard data.count > threshold, let file = try? SpillFile(directory: directory), (try? file.write(data, at: 0)) != nil,
              let mapped = try? file.map(count: data.count) else { return data }
        return mapped
    }

    private static func error(_ what: String) -> WireError {
        WireError("\(what): \(String(cString: strerror(errno)))")
    }
}
