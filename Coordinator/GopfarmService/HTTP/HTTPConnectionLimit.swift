import Foundation
import GopfarmAPI
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How many HTTP connections `gopfarm serve` holds at once (`--http-max-connections`). At the
/// limit serve stops accepting (new clients wait in the kernel's backlog) until one closes, and
/// the few a burst already accepted are answered 503 with the API's error body and closed. So
/// clients never take the descriptors the coordinator needs for its database, spool and agents:
/// with none left serve stopped answering anyone, and died (libdispatch's thread-pool monitor
/// traps when it cannot open `/proc/TID/stat`). One instance per server, shared by the
/// per-connection `HTTPConnectionLimit` handlers.
final class HTTPConnectionGate: Sendable {
    let limit: Int
    private struct State {
        var open = 0
        var listener: (any Channel)?
        var paused = false
        var lastWarning: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    let logger: Logger

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// The listening channel, whose accepting the gate pauses at the limit.
    func listen(on channel: any Channel) {
        state.withLock { $0.listener = channel }
    }

    /// Admits one more connection, or refuses it (false) when `limit` are open.
    func enter() -> Bool {
        let (admitted, warn) = state.withLock { state -> (Bool, Bool) in
            let admitted = state.open < limit
            if admitted {
                state.open += 1
                Self.pace(&state, limit: limit)
            }
            // Said when the limit is reached (accepting pauses) or a connection is refused,
            // at most every 10 s.
            guard state.open >= limit else { return (admitted, false) }
            let now = ContinuousClock.now
            if let last = state.lastWarning, now - last < .seconds(10) { return (admitted, false) }
            state.lastWarning = now
            return (admitted, true)
        }
        if warn {
            logger.warning("HTTP connections at the limit: \(limit) are open, new ones wait until one closes; raise it with --http-max-connections (and the descriptor limit)",
                           metadata: ["limit": "\(limit)"])
        }
        return admitted
    }

    func leave() {
        state.withLock { state in
            state.open -= 1
            Self.pace(&state, limit: limit)
        }
    }

    /// Stops accepting at the limit and starts again below it. Called under the lock, so the
    /// listener's event loop gets the switches in the order the counts changed.
    private static func pace(_ state: inout State, limit: Int) {
        let full = state.open >= limit
        guard full != state.paused, let listener = state.listener else { return }
        state.paused = full
        listener.setOption(ChannelOptions.autoRead, value: !full).whenFailure { _ in }
    }

    static let sentence = "the coordinator has as many HTTP connections open as it takes; try again shortly"

    /// The default limit for a process allowed `descriptors` open files: all but an eighth of
    /// them (at least 128) kept for the database, the spool, uploads and agents.
    static func defaultLimit(descriptors: Int) -> Int {
        max(16, descriptors - max(128, descriptors / 8))
    }
}

/// One connection's gate keeper, in its pipeline after the HTTP codec. An admitted connection
/// passes untouched and leaves the count when it closes. A refused one gets a 503 to its first
/// request (or is closed after a second if it sends none) and nothing of it reaches the router.
final class HTTPConnectionLimit: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let gate: HTTPConnectionGate
    private var admitted: Bool?

    init(gate: HTTPConnectionGate) { self.gate = gate }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if admitted == nil { admit(context) }
        context.fireChannelActive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        let admitted = gate.enter()
        self.admitted = admitted
        if !admitted {
            let channel = context.channel
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if admitted == true { gate.leave() }
        admitted = false
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted == false else { return context.fireChannelRead(data) }
        guard case .head = unwrapInboundIn(data), context.channel.isActive else { return }
        let body = APIError.body(HTTPConnectionGate.sentence)
        var head = HTTPResponse(status: .serviceUnavailable)
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        head.headerFields[.retryAfter] = "1"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
