import Foundation

/// A self-contained run of packets of one stream: codec parameters (with extradata), time base
/// and the packets in decode order with their own timestamps, durations and flags.
///
/// This is how a segment travels from coordinator to agent (source packets, stream-copied) and
/// back (encoded packets). It is a container of our own instead of an in-memory MKV/MP4 because
/// it keeps every timestamp in the source's time base bit for bit (Matroska would round them to
/// milliseconds) and needs no muxer or demuxer on either side.
///
/// Layout: "GFPS" · UInt16 version · packets, each Int64 pts · Int64 dts · Int64 duration ·
/// Int32 flags · UInt32 size · bytes (· UInt32 size · bytes of its Matroska BlockAdditional,
/// when flags has `blockAdditionalFlag`: VP9's alpha) · then the JSON header · UInt32 header
/// length (little endian). The header comes last so the writer appends packets straight into the final
/// buffer and `finish()` copies nothing.
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

/// A stream's header with the parts that never change (codec parameters, time base) encoded
/// once: a coordinator extracting thousands of segments of one file writes only the count.
public struct PacketStreamHeaderTemplate: Sendable {
    private struct Fixed: Encodable {
        var parameters: CodecParameters
        var timeBase: Rational
    }

    /// `{"parameters":…,"timeBase":…` without the closing brace.
    private let prefix: Data

    public init(parameters: CodecParameters, timeBase: Rational) {
        prefix = try! JSONEncoder().encode(Fixed(parameters: parameters, timeBase: timeBase)).dropLast()
    }

    /// The JSON of `PacketStreamHeader(parameters:timeBase:packetCount:)`.
    public func encoded(packetCount: Int) -> Data {
        var header = prefix
        header.append(contentsOf: Array(#","packetCount":\#(packetCount)}"#.utf8))
        return header
    }
}

public struct PacketStreamWriter: Sendable {
    public static let magic: [UInt8] = Array("GFPS".utf8)
    public static let version: UInt16 = 4
    /// Versions read: 3 is 4 without BlockAdditionals, so what an earlier release spooled (a
    /// coordinator upgraded mid-job) still stitches.
    static let readableVersions: ClosedRange<UInt16> = 3...4
    /// Set in a record's flags (libav's own use the lowest bits) when a BlockAdditional follows.
    static let blockAdditionalFlag: Int32 = 1 << 30
    /// Bytes a packet costs besides its data.
    public static let recordOverhead = 32
    private var body: SpillBuffer
    private var count = 0

    /// `capacity`: the expected payload size (packet bytes plus overhead), to allocate once.
    /// With a `spillDirectory`, a payload past `SpillFile.threshold` goes on in a file there (an
    /// agent's lossless segment of hundreds of MB), read back mapped.
    public init(reservingCapacity capacity: Int = 0, spillDirectory: String? = nil) {
        body = SpillBuffer(directory: spillDirectory, reservingCapacity: capacity + 512)
        body.append(Data(Self.magic))
        body.appendLittleEndian(Self.version)
    }

    public mutating func append(pts: Int64, dts: Int64, duration: Int64, flags: Int32, data: UnsafeRawBufferPointer,
                                blockAdditional: UnsafeRawBufferPointer? = nil) {
        let additional = blockAdditional.flatMap { $0.isEmpty ? nil : $0 }
        body.appendLittleEndian(pts)
        body.appendLittleEndian(dts)
        body.appendLittleEndian(duration)
        body.appendLittleEndian(additional == nil ? flags : flags | Self.blockAdditionalFlag)
        body.appendLittleEndian(UInt32(data.count))
        body.append(contentsOf: data)
        if let additional {
            body.appendLittleEndian(UInt32(additional.count))
            body.append(contentsOf: additional)
        }
        count += 1
    }

    /// Its bytes, timing, flags and BlockAdditional (the only side data that changes a picture).
    public mutating func append(_ packet: Packet) {
        append(pts: packet.pts, dts: packet.dts, duration: packet.duration, flags: packet.flags, data: packet.bytes,
               blockAdditional: packet.blockAdditional)
    }


    /// Appends the header and hands over the buffer (the writer is empty afterwards). Throws
    /// only when a payload gone to a file can be neither read back nor mapped.
    public mutating func finish(parameters: CodecParameters, timeBase: Rational) throws(MediaError) -> Data {
        try finish(header: PacketStreamHeaderTemplate(parameters: parameters, timeBase: timeBase))
    }

    public mutating func finish(header template: PacketStreamHeaderTemplate) throws(MediaError) -> Data {
        let header = template.encoded(packetCount: count)
        body.append(header)
        body.appendLittleEndian(UInt32(header.count))
        count = 0
        do { return try body.finish() } catch { throw MediaError(.encodeFailed, error.description) }
    }
}

extension PacketStreamWriter {
    public struct RecordLayout {
        public var pts: Int64
        public var dts: Int64
        public var duration: Int64
        public var flags: Int32
        public var size: Int

        public init(pts: Int64, dts: Int64, duration: Int64, flags: Int32, size: Int) {
            self.pts = pts
            self.dts = dts
            self.duration = duration
            self.flags = flags
            self.size = size
        }
    }

    /// Builds a payload in one exactly-sized buffer, `fill` writing each packet's bytes in
    /// place (from `pread`): one copy from the page cache, no per-packet allocation.
    public static func assemble(header template: PacketStreamHeaderTemplate, records: [RecordLayout],
                                fill: (Int, UnsafeMutableRawPointer) throws(MediaError) -> Void) throws(MediaError) -> Data {
        let header = template.encoded(packetCount: records.count)
        let total = 6 + records.reduce(0) { $0 + recordOverhead + $1.size } + header.count + 4
        let buffer = PayloadBuffer.allocate(total)
        var offset = 0
        func put<T: FixedWidthInteger>(_ v: T) {
            buffer.storeBytes(of: v.littleEndian, toByteOffset: offset, as: T.self)
            offset += MemoryLayout<T>.size
        }
        magic.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: 4) }
        offset = 4
        put(version)
        do {
            for (i, r) in records.enumerated() {
                put(r.pts)
                put(r.dts)
                put(r.duration)
                put(r.flags)
                put(UInt32(r.size))
                try fill(i, buffer + offset)
                offset += r.size
            }
        } catch {
            PayloadBuffer.free(buffer, total)
            throw error
        }
        header.withUnsafeBytes { (buffer + offset).copyMemory(from: $0.baseAddress!, byteCount: header.count) }
        offset += header.count
        put(UInt32(header.count))
        return Data(bytesNoCopy: buffer, count: total, deallocator: .custom { p, n in PayloadBuffer.free(p, n) })
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
        /// Where the packet's Matroska BlockAdditional lies, if it has one.
        public var blockAdditional: Range<Int>? = nil
    }

    public let header: PacketStreamHeader
    public let data: Data
    public private(set) var records: [Record] = []
    /// The header's JSON, to recognise the same header in the next payload.
    private let headerBytes: Data

    /// `previous`: the payload read before this one; when its header is byte for byte the same
    /// (segments of one encoder with as many packets), it is not decoded again.
    public init(_ data: Data, previous: PacketStreamReader? = nil) throws(MediaError) {
        self.data = data
        let headerStart = try Self.headerStart(of: data)
        headerBytes = data[headerStart..<(data.endIndex - 4)]
        if let previous, previous.headerBytes == headerBytes {
            header = previous.header
        } else {
            do {
                header = try JSONDecoder().decode(PacketStreamHeader.self, from: headerBytes)
            } catch {
                throw MediaError(.invalidPayload, "the segment payload header is not valid: \(error)")
            }
        }
        guard header.packetCount >= 0, header.packetCount <= data.count / PacketStreamWriter.recordOverhead + 1 else {
            throw MediaError(.invalidPayload, "the segment payload claims \(header.packetCount) packets")
        }
        records.reserveCapacity(header.packetCount)
        var cursor = DataCursor(data[..<headerStart])
        cursor.offset = data.startIndex + 6
        for _ in 0..<header.packetCount {
            guard let record = cursor.record() else { throw MediaError(.invalidPayload, "the segment payload is cut short") }
            records.append(record)
        }
        guard cursor.atEnd else { throw MediaError(.invalidPayload, "the segment payload has stray bytes") }
    }

    /// The records' presentation times, every length checked but the JSON header not decoded:
    /// all the coordinator's result check needs, at a fraction of the cost.
    public static func presentationTimes(_ data: Data) throws(MediaError) -> [Int64] {
        var cursor = DataCursor(data[..<(try headerStart(of: data))])
        cursor.offset = data.startIndex + 6
        var times: [Int64] = []
        while !cursor.atEnd {
            guard let record = cursor.record() else { throw MediaError(.invalidPayload, "the segment payload is cut short") }
            times.append(record.pts)
        }
        return times
    }

    /// Where the JSON header (a trailer) starts, after checking the magic, version and lengths.
    static func headerStart(of data: Data) throws(MediaError) -> Int {
        var cursor = DataCursor(data)
        guard data.count >= 10, let magic = cursor.bytes(4), Array(magic) == PacketStreamWriter.magic,
              let version: UInt16 = cursor.read(), PacketStreamWriter.readableVersions.contains(version)
        else { throw MediaError(.invalidPayload, "the segment payload has no valid header") }
        var tail = DataCursor(data)
        tail.offset = data.endIndex - 4
        guard let headerLength: UInt32 = tail.read(), Int(headerLength) <= data.count - 10 else {
            throw MediaError(.invalidPayload, "the segment payload has no valid header")
        }
        return data.endIndex - 4 - Int(headerLength)
    }

    /// Loads record `i` into `packet`.
    public func load(_ i: Int, into packet: Packet, streamIndex: Int = 0) throws(MediaError) {
        let r = records[i]
        let bytes = data[r.data]
        let additional = r.blockAdditional.map { data[$0] } ?? Data()
        let outcome: Result<Void, MediaError> = bytes.withUnsafeBytes { raw in
            additional.withUnsafeBytes { extra in
                Result { () throws(MediaError) in
                    try packet.fill(data: raw, pts: r.pts, dts: r.dts, duration: r.duration, flags: r.flags, streamIndex: streamIndex,
                                    blockAdditional: extra.isEmpty ? nil : extra)
                }
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

    /// `data` may be a slice: reads stay within its indices.
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

    /// One packet record: pts, dts, duration, flags, size, then its bytes (and its
    /// BlockAdditional's size and bytes, when flagged).
    mutating func record() -> PacketStreamReader.Record? {
        guard let pts: Int64 = read(), let dts: Int64 = read(), let duration: Int64 = read(),
              let flags: Int32 = read(), let size: UInt32 = read(), let range = range(Int(size)) else { return nil }
        var record = PacketStreamReader.Record(pts: pts, dts: dts, duration: duration,
                                               flags: flags & ~PacketStreamWriter.blockAdditionalFlag, data: range)
        if flags & PacketStreamWriter.blockAdditionalFlag != 0 {
            guard let extra: UInt32 = read(), let extraRange = self.range(Int(extra)) else { return nil }
            record.blockAdditional = extraRange
        }
        return record
    }

    mutating func read<T: FixedWidthInteger>() -> T? {
        guard let r = range(MemoryLayout<T>.size) else { return nil }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: r) }
        return T(littleEndian: value)
    }
}
