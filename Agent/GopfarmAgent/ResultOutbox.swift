import Foundation
import GopfarmCommon

/// Finished segments on their way to the coordinator, kept until the coordinator has provably
/// read them, so a result survives a disconnect: while not welcomed nothing is sent, and after
/// a new welcome whatever was not confirmed is sent again (a duplicate is ignored by the
/// coordinator; a lost result would cost a whole re-encode).
///
/// The proof needs no new message: the coordinator answers every heartbeat with an ack, in
/// order, on the same connection. A result sent after `h` heartbeats is read once ack `h + 1`
/// arrives, because that ack answers a heartbeat sent after the result.
///
/// A pure value owned by the connection loop; slot threads never touch it.
struct ResultOutbox {
    struct Entry: Sendable {
        var frames: [Data]
        var segment: Int
        /// The slot it used was counted busy at the last welcome, so sending it frees one slot
        /// to ask for. False for results that finished while disconnected: the welcome's
        /// request already counted their slot free.
        var owesRequest = true
    }

    private var pending: [Entry] = []
    private var unconfirmed: [(entry: Entry, heartbeatsBefore: Int)] = []
    private var heartbeatsSent = 0
    private var acksReceived = 0

    /// Nothing left to send or to confirm.
    var isEmpty: Bool { pending.isEmpty && unconfirmed.isEmpty }
    var count: Int { pending.count + unconfirmed.count }

    mutating func add(_ entries: [Entry]) { pending += entries }

    /// A new connection was welcomed: everything unconfirmed goes out again, and no entry owes
    /// a request any more (the welcome's request counted every slot not encoding as free).
    mutating func sessionStarted() {
        pending = (unconfirmed.map(\.entry) + pending).map { entry in
            var entry = entry
            entry.owesRequest = false
            return entry
        }
        unconfirmed = []
        heartbeatsSent = 0
        acksReceived = 0
    }

    /// Sends what is pending, in order, while `send` takes it (only while welcomed); sent
    /// entries wait for confirmation. Returns how many slots the sent entries freed.
    mutating func flush(_ send: ([Data]) throws(ZMQError) -> Bool) throws(ZMQError) -> Int {
        var freed = 0
        while let entry = pending.first, try send(entry.frames) {
            pending.removeFirst()
            unconfirmed.append((entry, heartbeatsSent))
            if entry.owesRequest { freed += 1 }
        }
        return freed
    }

    mutating func heartbeatSent() { heartbeatsSent += 1 }

    mutating func ackReceived() {
        acksReceived += 1
        unconfirmed.removeAll { $0.heartbeatsBefore < acksReceived }
    }
}
