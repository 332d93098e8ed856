import Foundation

extension FrameSeries {
    /// The series as the JSON object `JSONEncoder` makes of it (keys sorted, the same numbers
    /// read back), handed to `sink` in chunks of about 64 KiB. `JSONEncoder` first builds a value
    /// for every number of a document: for 3 hours of frames its peak was some 110 MB, most of
    /// the coordinator's at a job's end; this holds one chunk.
    public func writeJSON(to sink: (Data) throws -> Void) throws {
        try withoutActuallyEscaping(sink) { try writeJSON(into: JSONChunks(sink: $0)) }
    }

    private func writeJSON(into chunks: JSONChunks) throws {
        var out = chunks
        out.append("{")
        try out.column("blackRatio", blackRatio, first: true, Self.number)
        try out.column("colourfulness", colourfulness, Self.number)
        try out.column("lumaMax", lumaMax) { $0.description }
        try out.column("lumaMean", lumaMean, Self.number)
        try out.column("lumaMin", lumaMin) { $0.description }
        try out.column("motion", motion) { try $0.map(Self.number) ?? "null" }
        try out.column("pts", pts) { $0.description }
        try out.column("score", score) { try $0.map(Self.number) ?? "null" }
        try out.column("sharpness", sharpness, Self.number)
        out.append("}")
        try out.flush()
    }

    /// A finite `Float` in its shortest form that reads back the same (`1.0`, `0.25`, `1e-05`);
    /// JSON has no infinity or NaN, so those are refused as `JSONEncoder` refuses them.
    static func number(_ value: Float) throws -> String {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(value) is not a number JSON can hold"))
        }
        return value.description
    }
}

/// Bytes gathered into chunks for a sink.
private struct JSONChunks {
    let sink: (Data) throws -> Void
    var buffer: [UInt8] = []
    static let chunk = 1 << 16

    init(sink: @escaping (Data) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunk + 64)
    }

    mutating func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    mutating func column<T>(_ name: String, _ values: [T], first: Bool = false, _ text: (T) throws -> String) throws {
        append(first ? "\"\(name)\":[" : ",\"\(name)\":[")
        for (i, v) in values.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            append(try text(v))
            if buffer.count >= Self.chunk { try flush() }
        }
        append("]")
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
