import Foundation

/// One slice of a large message. ZeroMQ hands a message over only once all of it has arrived,
/// so a 12 MB segment on a 20 Mbit/s link is 5 s in which the other side hears nothing, longer
/// than either side's silence limit: the agent took the coordinator for gone and said hello
/// again, the job never finished. A message whose frames exceed `WireParts.partBytes` travels
/// as `count` part messages instead, each a few hundred milliseconds on a slow link and each
/// proof that the sender is there; the receiver joins them (`WireReassembly`).
public struct WirePart: WireMessage {
    public static let type = "part"
    /// The same for every part of one message, different for the next message of that sender.
    public var id: UInt64
    public var index: Int
    public var count: Int

    public init(id: UInt64, index: Int, count: Int) {
        self.id = id
        self.index = index
        self.count = count
    }
}

/// The receiver's answer to a part: the sender's next message (a heartbeat) waits behind the
/// rest of its parts, so without it a sender hears nothing back for as long as they take.
public struct WirePartReceived: WireMessage {
    public static let type = "part-received"
    public init() {}
}

/// Splitting a message into parts and joining them again; the bytes are the message's frames,
/// each as an 8-byte big-endian length and its bytes.
public enum WireParts {
    /// 64 KiB: 1 s at 512 kbit/s, 0.1 s at 5 Mbit/s. Parts go out back to back (no wait for
    /// an answer between them), so their size costs nothing on a fast link; on a slow one it is
    /// the longest the receiver hears nothing. At 256 KiB a 512 kbit/s link took 4.1 s a part,
    /// past the coordinator's 4 s silence limit: the agent was dropped in every part, for good.
    public static let partBytes = 64 << 10
    /// The largest part a receiver takes: what agents and coordinators of earlier versions send.
    public static let acceptedPartBytes = 256 << 10
    /// Most parts one message may have (the largest message the protocol takes, plus its header).
    public static var maxParts: Int { (WireProtocol.maxPayloadBytes + WireProtocol.maxHeaderBytes) / partBytes + 1 }
    /// Most bytes one message may join to: as many as its most parts carry at today's size.
    public static var maxJoinedBytes: Int { maxParts * partBytes }

    /// Whether `frames` travel as parts (`split` makes more than one).
    public static func needsParts(_ frames: [Data], partBytes: Int = partBytes) -> Bool {
        frames.reduce(0) { $0 + $1.count } > partBytes
    }

    /// What goes on the wire for `frames`: the message itself when it is small, else its parts.
    /// The parts are windows of `partBytes` over the frames laid end to end, each as an 8-byte
    /// big-endian length and its bytes, with no packed copy made: a window inside one frame is
    /// a slice of it, lent to libzmq as it is, and only a window over a length or a frame's
    /// edge is copied (a 375 MB result was held twice, its frames and their packed copy).
    public static func split(_ frames: [Data], id: UInt64, partBytes: Int = partBytes) -> [[Data]] {
        guard needsParts(frames, partBytes: partBytes) else { return [frames] }
        var pieces: [Data] = []
        for frame in frames {
            var length = UInt64(frame.count).bigEndian
            pieces.append(withUnsafeBytes(of: &length) { Data($0) })
            if !frame.isEmpty { pieces.append(frame) }
        }
        let total = pieces.reduce(0) { $0 + $1.count }
        let count = (total + partBytes - 1) / partBytes
        var piece = 0, offset = 0  // where the next window starts: `offset` bytes into `pieces[piece]`
        return (0..<count).map { index in
            var want = min(partBytes, total - index * partBytes)
            var window = Data()
            while want > 0 {
                let p = pieces[piece], start = p.startIndex + offset
                let take = min(want, p.count - offset)
                if take == want, window.isEmpty {
                    window = p[start..<start + take]  // the whole window in one piece: no copy
                } else {
                    if window.isEmpty { window.reserveCapacity(want) }
                    window.append(p[start..<start + take])
                }
                want -= take
                offset += take
                if offset == p.count { piece += 1; offset = 0 }
            }
            return WirePart(id: id, index: index, count: count).frames(payloads: [window])
        }
    }

    /// The frames `split` laid end to end, as slices of `data` (a joined result of hundreds of MB is
    /// not copied again; every reader of a payload takes slices).
    static func unpack(_ data: Data) throws(WireError) -> [Data] {
        var frames: [Data] = []
        var at = data.startIndex
        while at < data.endIndex {
            guard data.endIndex - at >= 8 else { throw WireError("a joined message ends inside a frame length") }
            let length = data[at..<at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            at += 8
            guard length <= UInt64(data.endIndex - at) else { throw WireError("a joined message ends inside a frame") }
            frames.append(data[at..<at + Int(length)])
            at += Int(length)
        }
        guard !frames.isEmpty else { throw WireError("a joined message has no frames") }
        return frames
    }
}
