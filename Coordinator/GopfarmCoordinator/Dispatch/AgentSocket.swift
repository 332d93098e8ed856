import Foundation
import GopfarmCommon

/// The dispatcher's ROUTER socket as the loop sees it: whole messages in, whole messages out.
/// A large message goes as parts and comes back joined (`WireParts`, one `WireReassembly`
/// per agent, a large result gathered in a file in `spillDirectory`, not in memory); a part
/// still arriving is reported as such, since it proves the agent is there.
final class AgentSocket {
    /// What one agent sent: a whole message, a part of one still arriving, or parts that
    /// could not be joined (`WireReassembly.Outcome`).
    struct Received {
        var identity: Data
        var publicKey: String?
        var outcome: WireReassembly.Outcome
    }

    private let socket: ZMQSocket
    private var reassembly: [Data: WireReassembly] = [:]
    private let spill: WireReassembly.Spill
    private var nextMessageID: UInt64 = 0
    /// Per agent, what its connection's queue (1000 messages) could not take yet, in order:
    /// parts of a large segment input and what was sent to the agent after it (`flush`).
    private var backlogs: [Data: Backlog] = [:]

    private struct Backlog {
        var messages: [[Data]]
        var next = 0
    }

    /// Binds a ROUTER with `security`; returns the endpoint bound (a port of 0 is chosen here).
    init(context: ZMQContext, bind: String, security: DispatchSecurity, spillDirectory: String) throws(ZMQError) {
        spill = WireReassembly.Spill(directory: spillDirectory)
        socket = try ZMQSocket(context: context, kind: .router)
        try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
        // A connection that has not finished its handshake in 10 s (libzmq's default: 30) is
        // closed: a port scan or a flood of silent connections holds descriptors that long.
        try socket.setOption(gf_handshakeInterval, 10_000)
        // Never blocks: an agent whose queue is full gets the rest from the backlog (`send`).
        try socket.setOption(gf_sendTimeout, 0)
        try security.configure(socket)
        endpoint = try socket.bind(bind)
    }

    let endpoint: String

    func poll(milliseconds: Int) throws(ZMQError) -> Bool { try socket.poll(milliseconds: milliseconds) }

    /// The next message queued, without waiting; nil when none is.
    func next(at now: Double) throws(ZMQError) -> Received? {
        guard let (frames, publicKey) = try socket.receiveIfQueued() else { return nil }
        let identity = frames.first ?? Data()
        defer { if reassembly[identity]?.isJoining == false { reassembly[identity] = nil } }
        let outcome = reassembly[identity, default: WireReassembly(spill: spill)].accept(Array(frames.dropFirst()), at: now)
        return Received(identity: identity, publicKey: publicKey, outcome: outcome)
    }

    /// Sends a message to an agent, a large one as parts; false when the agent is gone.
    ///
    /// Never waits: what the agent's queue cannot take now (a segment input over 64 MB, or two
    /// behind each other) waits in its backlog, sent by `flush` as the agent reads, and what is
    /// sent to the agent later waits behind it. A blocking send held the whole dispatcher for as
    /// long as one agent took to read the rest of its input (seconds on a slow link), and every
    /// other agent heard nothing meanwhile.
    func send(_ frames: [Data], to identity: Data) -> Bool {
        nextMessageID &+= 1
        let messages = WireParts.split(frames, id: nextMessageID).map { [identity] + $0 }
        if backlogs[identity] != nil {
            backlogs[identity]?.messages += messages
            return true
        }
        for (i, message) in messages.enumerated() {
            switch offer(message) {
            case .sent: continue
            case .gone: return false
            case .full:
                backlogs[identity] = Backlog(messages: Array(messages[i...]))
                return true
            }
        }
        return true
    }

    /// Sends what waits in the backlogs, as far as each agent's queue takes it now (every turn
    /// of the dispatcher's loop); an agent that is gone, or no longer `known`, loses its backlog.
    func flush(known: (Data) -> Bool) {
        for identity in Array(backlogs.keys) {
            guard known(identity), var backlog = backlogs[identity] else {
                backlogs[identity] = nil
                continue
            }
            var outcome = Offer.sent
            while backlog.next < backlog.messages.count {
                outcome = offer(backlog.messages[backlog.next])
                guard outcome == .sent else { break }
                backlog.next += 1
            }
            backlogs[identity] = outcome == .full ? backlog : nil
        }
    }

    /// Messages wait for some agent's queue.
    var hasBacklog: Bool { !backlogs.isEmpty }

    private enum Offer { case sent, full, gone }

    private func offer(_ message: [Data]) -> Offer {
        do { return try socket.send(message) ? .sent : .gone } catch where error.errno == EAGAIN { return .full } catch { return .gone }
    }

    /// Half-joined messages of agents that went quiet for a minute are dropped.
    func sweep(now: Double) {
        guard !reassembly.isEmpty else { return }
        reassembly = reassembly.filter { now - ($0.value.lastPartAt ?? now) < 60 }
    }

    /// Sends `goodbye` to every agent and lets it go out for a second when the socket closes
    /// (closing drops what is queued: with many agents some would never hear the job is over).
    func dismiss(_ identities: some Sequence<Data>, reason: String) {
        // The goodbye goes ahead of any input still waiting, or not at all (the agent then
        // notices the silence): nothing is sent after this.
        backlogs = [:]
        for identity in identities { _ = send(AgentGoodbye(reason: reason).frames(), to: identity) }
        try? socket.setOption(gf_linger, 1000)
    }
}
