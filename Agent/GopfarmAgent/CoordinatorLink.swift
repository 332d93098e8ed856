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
    /// A large segment input is gathered in an unnamed file in the temporary directory (`TMPDIR`),
    /// not in memory: the agent decodes it from the file's pages, which the kernel can take back.
    private var reassembly = WireReassembly(spill: .init(directory: FileManager.default.temporaryDirectory.path))
    private var nextMessageID = UInt64.random(in: 0...UInt64.max / 2)
    /// What the socket has not taken yet, in order: the rest of a large message's parts, then
    /// the messages sent after it (`send`, `flush`).
    private var backlog: [[Data]] = []
    private var backlogStart = 0

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
    ///
    /// A large message (a result) goes as parts (`WirePart`). Once its first part went, the
    /// message is taken: the parts the socket's queue (1000 messages) cannot hold yet wait in
    /// the link's backlog, and `flush` sends them as the coordinator reads. Sending it again
    /// from its first part instead restarted it under a new id each time the queue filled: the
    /// coordinator dropped every half-joined copy, and a result over ~64 MB never arrived.
    /// While parts wait, a small message waits behind them (taken, in order: a heartbeat after
    /// a result still proves the result was read); a second large one is not taken (false).
    public func send(_ frames: [Data]) throws(ZMQError) -> Bool {
        try flush()
        let large = WireParts.needsParts(frames)
        if hasBacklog {
            guard !large else { return false }
            backlog.append(frames)
            return true
        }
        guard large else { return try offer(frames) }
        nextMessageID &+= 1
        let parts = WireParts.split(frames, id: nextMessageID)
        for (i, part) in parts.enumerated() where try !offer(part) {
            guard i > 0 else { return false }  // nothing went: the caller sends it again later
            backlog = Array(parts[i...])
            backlogStart = 0
            return true
        }
        return true
    }

    /// Sends what waits in the backlog, as far as the socket takes it now (the agent's loop
    /// calls it every turn).
    public func flush() throws(ZMQError) {
        guard hasBacklog else { return }
        while backlogStart < backlog.count {
            guard try offer(backlog[backlogStart]) else { return }
            backlogStart += 1
        }
        backlog = []
        backlogStart = 0
    }

    /// Parts or messages wait for the socket.
    public var hasBacklog: Bool { backlogStart < backlog.count }

    /// Drops what waits (an agent leaving before its result is through): what is sent next
    /// goes at once, the coordinator drops the half-joined result.
    public func discardBacklog() {
        backlog = []
        backlogStart = 0
    }

    /// One message to the socket; false when its queue is full or it has no pipe.
    private func offer(_ frames: [Data]) throws(ZMQError) -> Bool {
        do { return try socket.send(frames) } catch where error.errno == EAGAIN { return false }
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
