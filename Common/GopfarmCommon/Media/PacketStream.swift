import Foundation

/// A self-contained run of packets of one stream: codec parameters (with extradata), time base
/// and the packets in decode order with their own timestamps, durations and flags.
///
/// This is how a segment travels from coordinator to agent (source packets, stream-copied) and
/// back (encoded packets). It is a container of our own instead of an in-memory MKV/MP4 because
/// it keeps every timestamp in the source's time base bit for bit (Matroska would round them to
/// milliseconds) and needs no muxer or demuxer on either side.
///
/// Layout: "GFPS" · UInt16 version · UInt32 header length · JSON header · packets, each
/// Int64 pts · Int64 dts · Int64 duration · Int32 flags · UInt32 size · bytes (little endian).
public struct PacketStreamHeader: Codable, Sendable, Equatable {
    public var parameters: CodecParameters
    public var timeBase: Rational
    public var packetCount: Int

    public init(parameters: CodecParameters, timeBase: Rational, packetCount: Int) {
        self.parameters = parameters
        self.timeBase = timeBase
        self.packetCount = packetCount
    }
}

public struct PacketStreamWriter: Sendable {
    public static let magic: [UInt8] = Array("GFPS".utf8)
    public static let version: UInt16 = 1
    private var body = Data()
    private var count = 0

    public init() {}

    public mutating func append(pts: Int64, dts: Int64, duration: Int64, flags: Int32, data: UnsafeRawBufferPointer) {
        body.appendLittleEndian(pts)
        body.appendLittleEndian(dts)
        body.appendLittleEndian(duration)
        body.appendLittleEndian(flags)
        body.appendLittleEndian(UInt32(data.count))
        body.append(contentsOf: data)
        count += 1
    }

    public mutating func append(_ packet: Packet) {
        append(pts: packet.pts, dts: packet.dts, duration: packet.duration, flags: packet.flags, data: packet.bytes)
    }

    public var packetCount: Int { count }
    public var byteCount: Int { body.count }

    public func finish(parameters: CodecParameters, timeBase: Rational) -> Data {
        let header = try! JSONEncoder().encode(PacketStreamHeader(parameters: parameters, timeBase: timeBase, packetCount: count))
        var out = Data(capacity: body.count + header.count + 16)
        out.append(contentsOf: Self.magic)
        out.appendLittleEndian(Self.version)
        out.appendLittleEndian(UInt32(header.count))
        out.append(header)
        out.append(body)
        return out
    }
}

/// Reads a `PacketStreamWriter` payload, validating every length against the buffer, so a
/// forged or damaged payload is an error, never an out-of-bounds read.
public struct PacketStreamReader {
    public struct Record {
        public var pts: Int64
        public var dts: Int64
        public var duration: Int64
        public var flags: Int32
        public var data: Range<Int>
    }

    public let header: PacketStreamHeader
    public let data: Data
    public private(set) var records: [Record] = []

    public init(_ data: Data) throws(MediaError) {
        self.data = data
        var cursor = DataCursor(data)
        guard let magic = cursor.bytes(4), Array(magic) == PacketStreamWriter.magic,
              let version: UInt16 = cursor.read(), version == PacketStreamWriter.version,
              let headerLength: UInt32 = cursor.read(), let headerBytes = cursor.bytes(Int(headerLength))
        else { throw MediaError(.invalidPayload, "the segment payload has no valid header") }
        do {
            header = try JSONDecoder().decode(PacketStreamHeader.self, from: headerBytes)
        } catch {
            throw MediaError(.invalidPayload, "the segment payload header is not valid: \(error)")
        }
        guard header.packetCount >= 0, header.packetCount <= data.count / 32 + 1 else {
            throw MediaError(.invalidPayload, "the segment payload claims \(header.packetCount) packets")
        }
        records.reserveCapacity(header.packetCount)
        for _ in 0..<header.packetCount {
            guard let pts: Int64 = cursor.read(), let dts: Int64 = cursor.read(), let duration: Int64 = cursor.read(),
                  let flags: Int32 = cursor.read(), let size: UInt32 = cursor.read(),
                  let range = cursor.range(Int(size))
            else { throw MediaError(.invalidPayload, "the segment payload is cut short") }
            records.append(Record(pts: pts, dts: dts, duration: duration, flags: flags, data: range))
        }
        guard cursor.atEnd else { throw MediaError(.invalidPayload, "the segment payload has trailing bytes") }
    }

    /// Loads record `i` into `packet`.
    public func load(_ i: Int, into packet: Packet, streamIndex: Int = 0) throws(MediaError) {
        let r = records[i]
        let bytes = data[r.data]
        let outcome: Result<Void, MediaError> = bytes.withUnsafeBytes { raw in
            Result { () throws(MediaError) in
                try packet.fill(data: raw, pts: r.pts, dts: r.dts, duration: r.duration, flags: r.flags, streamIndex: streamIndex)
            }
        }
        try outcome.get()
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

/// Bounds-checked reading from a `Data`.
struct DataCursor {
    let data: Data
    var offset: Int

    init(_ data: Data) {
        self.data = data
        offset = data.startIndex
    }

    var atEnd: Bool { offset == data.endIndex }

    mutating func range(_ count: Int) -> Range<Int>? {
        guard count >= 0, data.endIndex - offset >= count else { return nil }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func bytes(_ count: Int) -> Data? { range(count).map { data[$0] } }

    mutating func read<T: FixedWidthInteger>() -> T? {
        guard let r = range(MemoryLayout<T>.size) else { return nil }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: r) }
        return T(littleEndian: value)
    }
}
