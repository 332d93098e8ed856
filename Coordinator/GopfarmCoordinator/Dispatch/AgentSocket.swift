import Foundation
import GopfarmCommon

/// The dispatcher's ROUTER socket as the loop sees it: whole messages in, whole messages out.
/// A large message goes as parts and comes back joined (`WireParts`, one `WireReassembly`
/// per agent); a part still arriving is reported as such, since it proves the agent is there.
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
    private var nextMessageID: UInt64 = 0

    /// Binds a ROUTER with `security`; returns the endpoint bound (a port of 0 is chosen here).
    init(context: ZMQContext, bind: String, security: DispatchSecurity) throws(ZMQError) {
        socket = try ZMQSocket(context: context, kind: .router)
        try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
        // A connection that has not finished its handshake in 10 s (libzmq's default: 30) is
        // closed: a port scan or a flood of silent connections holds descriptors that long.
        try socket.setOption(gf_handshakeInterval, 10_000)
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
        let outcome = reassembly[identity, default: WireReassembly()].accept(Array(frames.dropFirst()), at: now)
        return Received(identity: identity, publicKey: publicKey, outcome: outcome)
    }

    /// Sends a message to an agent, a large one as parts; false when the agent cannot take it.
    func send(_ frames: [Data], to identity: Data) -> Bool {
        nextMessageID &+= 1
        for part in WireParts.split(frames, id: nextMessageID) {
            guard (try? socket.send([identity] + part)) == true else { return false }
        }
        return true
    }

    /// Half-joined messages of agents that went quiet for a minute are dropped.
    func sweep(now: Double) {
        guard !reassembly.isEmpty else { return }
        reassembly = reassembly.filter { now - ($0.value.lastPartAt ?? now) < 60 }
    }

    /// Sends `goodbye` to every agent and lets it go out for a second when the socket closes
    /// (closing drops what is queued: with many agents some would never hear the job is over).
    func dismiss(_ identities: some Sequence<Data>, reason: String) {
        for identity in identities { _ = send(AgentGoodbye(reason: reason).frames(), to: identity) }
        try? socket.setOption(gf_linger, 1000)
    }
}
