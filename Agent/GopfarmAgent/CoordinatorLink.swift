import Foundation
import GopfarmCommon

/// One connection attempt to the coordinator: a DEALER (CURVE or plain) and its monitor.
///
/// The runtime replaces the link, rather than letting ZeroMQ reconnect it, each time a hello
/// goes unanswered: the old socket's queue (hellos and heartbeats the coordinator never read)
/// is dropped with it, so a returning coordinator does not get a burst of stale messages and
/// the queue never fills up and blocks a send. Results are not lost with it: the runtime keeps
/// every result until the coordinator has provably read it (`ResultOutbox`).
public final class CoordinatorLink {
    public let socket: ZMQSocket
    private let monitor: ZMQMonitor
    private var reassembly = WireReassembly()
    private var nextMessageID = UInt64.random(in: 0...UInt64.max / 2)

    public init(context: ZMQContext, endpoint: String, security: AgentSecurity) throws(ZMQError) {
        socket = try ZMQSocket(context: context, kind: .dealer)
        monitor = try ZMQMonitor(watching: socket)  // before connect: events before it are lost
        try socket.setOption(gf_reconnectInterval, 200)
        try socket.setOption(gf_reconnectIntervalMax, 5000)
        try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
        try socket.setOption(gf_sendTimeout, 0)  // see `send`
        if case .curve(let coordinatorKey, let keyPair) = security {
            try socket.makeCurveClient(serverPublicKey: coordinatorKey, keyPair: keyPair)
        }
        try socket.connect(endpoint)
    }

    /// Sends without blocking; false when the link cannot take the message now. A DEALER blocks
    /// while it has no pipe, and libzmq drops a connection's pipe for good when its handshake
    /// fails (a refused CURVE key): a blocking send would hang the agent, even its SIGTERM.
    /// A large message (a result) goes as parts (`WirePart`); false when a part did not go,
    /// and the caller sends the whole message again later.
    public func send(_ frames: [Data]) throws(ZMQError) -> Bool {
        nextMessageID &+= 1
        for part in WireParts.split(frames, id: nextMessageID) {
            do { guard try socket.send(part) else { return false } } catch where error.errno == EAGAIN { return false }
        }
        return true
    }

    /// The message `frames` complete, or nil for a part of a large one still arriving (proof
    /// enough that the coordinator is there) or a part that could not be joined.
    public func joined(_ frames: [Data]) -> [Data]? {
        switch reassembly.accept(frames) {
        case .message(let whole): whole
        case .part, .broken: nil
        }
    }

    /// A large message is arriving part by part.
    public var isJoining: Bool { reassembly.isJoining }

    /// Bytes of that message arrived so far (nil: none arriving), for the heartbeat.
    public var joinedBytes: Int? { reassembly.joinedBytes }

    /// Handshake outcomes since the last call (a refused key shows up only here).
    public func events() -> [ZMQMonitor.Event] { monitor.poll() }

    /// Lets what is queued (the goodbye, the last results) go out for up to `milliseconds`
    /// once the link is released, instead of dropping it.
    public func lingerOnClose(milliseconds: Int32) {
        try? socket.setOption(gf_linger, milliseconds)
    }
}
