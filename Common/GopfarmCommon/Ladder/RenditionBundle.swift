import Foundation

/// The encoded renditions of one segment in one payload frame: each rendition is a whole
/// `PacketStream`, in rung order. Keeping one payload per result keeps the wire protocol, the
/// result check and the spool (one file per segment, named by its SHA-256) as they are.
///
/// Layout: "GFRB" · UInt16 count · UInt64 length of each stream · the streams (little endian).
public enum RenditionBundle {
    public static let magic: [UInt8] = Array("GFRB".utf8)

    /// With a `spillDirectory`, a bundle past `SpillFile.threshold` is written to a file there
    /// and read back mapped (`SpillBuffer`), not held in memory. Throws only when bytes gone to
    /// that file can be neither read back nor mapped.
    public static func pack(_ streams: [Data], spillDirectory: String? = nil) throws(MediaError) -> Data {
        var out = SpillBuffer(directory: spillDirectory, reservingCapacity: 6 + 8 * streams.count + streams.reduce(0) { $0 + $1.count })
        out.append(Data(magic))
        out.appendLittleEndian(UInt16(streams.count))
        for s in streams { out.appendLittleEndian(UInt64(s.count)) }
        for s in streams { out.append(s) }
        do { return try out.finish() } catch { throw MediaError(.encodeFailed, error.description) }
    }

    /// The streams (slices of `data`, nothing copied); a damaged bundle is an error.
    public static func unpack(_ data: Data) throws(MediaError) -> [Data] {
        var cursor = DataCursor(data)
        guard let head = cursor.bytes(4), Array(head) == magic, let count: UInt16 = cursor.read() else {
            throw MediaError(.invalidPayload, "the segment payload is not a bundle of renditions")
        }
        var lengths: [Int] = []
        for _ in 0..<count {
            guard let length: UInt64 = cursor.read(), length <= UInt64(data.count) else {
                throw MediaError(.invalidPayload, "the bundle of renditions is cut short")
            }
            lengths.append(Int(length))
        }
        var streams: [Data] = []
        for length in lengths {
            guard let range = cursor.range(length) else { throw MediaError(.invalidPayload, "the bundle of renditions is cut short") }
            streams.append(data[range])
        }
        guard cursor.atEnd else { throw MediaError(.invalidPayload, "the bundle of renditions has stray bytes") }
        return streams
    }
}
