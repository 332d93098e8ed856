import Foundation

/// A file read by offset (`pread`), for containers whose packets are plain byte ranges.
public final class RawFile {
    private let fd: Int32
    public let path: String

    public init?(path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes at `offset` into `buffer`.
    public func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws(MediaError) {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw MediaError(.demuxFailed, "cannot read \(count) bytes at offset \(offset); was the file changed while the job ran?", path: path)
            }
            done += n
        }
    }

    /// Whether the file holds exactly `packet`'s bytes at the packet's position.
    func holds(_ packet: Packet) -> Bool {
        guard packet.position >= 0, packet.size > 0 else { return false }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: packet.size, alignment: 16)
        defer { buffer.deallocate() }
        do { try read(into: buffer, count: packet.size, at: packet.position) } catch { return false }
        return memcmp(buffer, packet.bytes.baseAddress!, packet.size) == 0
    }
}
