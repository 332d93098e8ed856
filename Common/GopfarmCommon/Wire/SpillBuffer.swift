import Foundation

/// Bytes appended in order, kept in memory until they pass `threshold`, then written on to an
/// unnamed file (`SpillFile`) a megabyte at a time and read back at the end as one `Data` mapped
/// from it: a large message being joined (`WireReassembly`) or segment being encoded
/// (`PacketStreamWriter`) costs its owner about a megabyte of memory, not its size. A file that
/// cannot be made or written leaves the bytes in memory; `finish` throws only when bytes already
/// written can be neither read back nor mapped.
public struct SpillBuffer: Sendable {
    /// Bytes gathered in memory before they go to the file together.
    static let chunkBytes = 1 << 20

    private let directory: String?
    private let threshold: Int
    /// Every byte while there is no file; the tail not yet written when there is one.
    private var memory = Data()
    private var file: SpillFile?
    private var written = 0
    private var tried = false
    private var failure: WireError?

    /// `directory` nil keeps everything in memory.
    public init(directory: String?, threshold: Int = SpillFile.threshold, reservingCapacity: Int = 0) {
        self.directory = directory
        self.threshold = threshold
        if reservingCapacity > 0 { memory.reserveCapacity(min(reservingCapacity, directory == nil ? reservingCapacity : threshold + Self.chunkBytes)) }
    }

    /// Bytes appended so far.
    public var count: Int { written + memory.count }

    /// True once the bytes go to a file.
    public var isSpilled: Bool { file != nil }

    public mutating func append(_ bytes: Data) {
        memory.append(bytes)
        settle()
    }

    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        memory.append(contentsOf: bytes)
        settle()
    }

    /// A small field: never starts a write of its own (the next `append` of bytes does).
    public mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        memory.appendLittleEndian(value)
    }

    /// Every byte appended, as one `Data`; the buffer is empty afterwards.
    public mutating func finish() throws(WireError) -> Data {
        defer { self = SpillBuffer(directory: directory, threshold: threshold) }
        if file != nil { flush() }
        if let failure { throw failure }
        guard let file else { return memory }
        return try file.map(count: written)
    }

    private mutating func settle() {
        if file == nil {
            guard !tried, let directory, memory.count > threshold else { return }
            tried = true
            guard let made = try? SpillFile(directory: directory) else { return }
            file = made
        }
        if memory.count >= Self.chunkBytes { flush() }
    }

    /// Writes the tail to the file; when that fails (a full disk) the file's bytes come back into
    /// memory and the rest stays there.
    private mutating func flush() {
        guard let file, !memory.isEmpty else { return }
        do {
            try file.write(memory, at: written)
            written += memory.count
            memory.removeAll(keepingCapacity: memory.count <= 2 * Self.chunkBytes)
        } catch {
            self.file = nil
            do {
                memory = Data(try file.map(count: written)) + memory
            } catch {
                failure = WireError("a large segment could not be kept: \(error.description)")
            }
            written = 0
        }
    }
}
