import Foundation

/// Joins one sender's parts (`WirePart`) into the message they carry. A sender's messages
/// arrive in order and whole, so at most one message is being joined per sender: a part of
/// another message, or out of order, drops what was gathered (the sender gave up on it and
/// sends again). Frames in, an outcome out; a message past `Spill.bytes` is gathered in a file
/// (`SpillBuffer`) instead of memory, and read back as slices of that file mapped.
public struct WireReassembly: Sendable {
    /// Where a message larger than `bytes` is gathered: a file in `directory`.
    public struct Spill: Sendable {
        public var directory: String
        public var bytes: Int

        public init(directory: String, bytes: Int = SpillFile.threshold) {
            self.directory = directory
            self.bytes = bytes
        }
    }

    public enum Outcome: Equatable, Sendable {
        /// A message to read: one that came whole, or the last part's joined message.
        case message([Data])
        /// A part, not the last: the sender is there, nothing to read yet.
        case part
        /// A part that cannot be joined; what was gathered is dropped.
        case broken(String)
    }

    private static let partType = Data(#""type":"part""#.utf8)
    private var id: UInt64?
    private var next = 0
    private var count = 0
    private var gathered: SpillBuffer
    private let spill: Spill?
    /// When the message being joined last grew (seconds, the caller's clock).
    public private(set) var lastPartAt: Double?
    /// The most bytes one joined message may reach (`WireParts.maxJoinedBytes`).
    private let maxBytes: Int

    public init(maxBytes: Int = WireParts.maxJoinedBytes, spill: Spill? = nil) {
        self.maxBytes = maxBytes
        self.spill = spill
        gathered = Self.buffer(spill)
    }

    private static func buffer(_ spill: Spill?) -> SpillBuffer {
        SpillBuffer(directory: spill?.directory, threshold: spill?.bytes ?? SpillFile.threshold)
    }

    /// True while a message is half joined.
    public var isJoining: Bool { id != nil }

    /// Bytes of the half-joined message gathered so far; nil when none is being joined.
    public var joinedBytes: Int? { id == nil ? nil : gathered.count }

    /// True while the message being joined is gathered in a file.
    public var isSpilled: Bool { gathered.isSpilled }

    public mutating func accept(_ frames: [Data], at now: Double = 0) -> Outcome {
        // Parts are written by `WireParts.split` only: a header without its exact type field
        // is another message, told apart without decoding it twice.
        guard let first = frames.first, first.count < 256, first.range(of: Self.partType) != nil,
              let message = try? WireFrames(frames), message.type == WirePart.type else {
            return .message(frames)
        }
        let part: WirePart
        do { part = try message.decode(WirePart.self) } catch {
            reset()
            return .broken(error.description)
        }
        guard message.payloads.count == 1, part.count > 1, part.count <= WireParts.maxParts,
              (0..<part.count).contains(part.index),
              message.payloads[0].count <= WireParts.acceptedPartBytes else {
            reset()
            return .broken("a part \(part.index + 1) of \(part.count) breaks the limits")
        }
        if part.index == 0 {
            reset()
            id = part.id
            count = part.count
        } else if part.id != id || part.index != next || part.count != count {
            reset()
            return .broken("part \(part.index + 1) of \(part.count) arrived out of order")
        }
        // Parts of up to 256 KiB (earlier senders') in the most parts a message may have would
        // be 4 GB: the message may not outgrow what the part limit allows at today's size.
        guard gathered.count + message.payloads[0].count <= maxBytes else {
            reset()
            return .broken("a message in parts outgrows the largest message the protocol takes (\(maxBytes) bytes)")
        }
        gathered.append(message.payloads[0])
        next = part.index + 1
        lastPartAt = now
        guard next == count else { return .part }
        defer { reset() }
        do { return .message(try WireParts.unpack(try gathered.finish())) } catch { return .broken(error.description) }
    }

    private mutating func reset() {
        id = nil
        next = 0
        count = 0
        gathered = Self.buffer(spill)
        lastPartAt = nil
    }
}
