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
/// A pure value owned by `AgentCore`; slot threads never touch it.
public struct ResultOutbox: Sendable {
    /// What a slot made of an assignment.
    public enum Outcome: Sendable, Equatable {
        case result(SegmentResult, payloads: [Data])
        case failure(SegmentFailure)

        public var frames: [Data] {
            switch self {
            case .result(let result, let payloads): result.frames(payloads: payloads)
            case .failure(let failure): failure.frames()
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        public var outcome: Outcome
        /// The slot it used was counted busy at the last welcome, so sending it frees one slot
        /// to ask for. False for results that finished while disconnected: the welcome's
        /// request already counted their slot free.
        public var owesRequest = true

        public init(outcome: Outcome, owesRequest: Bool = true) {
            self.outcome = outcome
            self.owesRequest = owesRequest
        }

        public var frames: [Data] { outcome.frames }
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

    /// The next entry to send (only while welcomed), oldest first.
    var firstPending: Entry? { pending.first }

    /// The link took `firstPending`: it waits for confirmation. Returns it (nil: none pending).
    mutating func markFirstSent() -> Entry? {
        guard !pending.isEmpty else { return nil }
        let entry = pending.removeFirst()
        unconfirmed.append((entry, heartbeatsSent))
        return entry
    }

    mutating func heartbeatSent() { heartbeatsSent += 1 }

    mutating func ackReceived() {
        acksReceived += 1
        unconfirmed.removeAll { $0.heartbeatsBefore < acksReceived }
    }
}
