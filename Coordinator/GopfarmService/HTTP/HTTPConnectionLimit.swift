import Foundation
import GopfarmAPI
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How many HTTP connections `gopfarm serve` holds at once (`--http-max-connections`). At the
/// limit serve stops accepting (new clients wait in the kernel's backlog) until one closes, and
/// the few a burst already accepted are answered 503 with the API's error body and closed. So
/// clients never take the descriptors the coordinator needs for its database, spool and agents:
/// with none left serve stopped answering anyone, and died (libdispatch's thread-pool monitor
/// traps when it cannot open `/proc/TID/stat`). One instance per server: its `pacing` paces the
/// listener, the per-connection `HTTPConnectionLimit` handlers refuse what a burst got past it.
final class HTTPConnectionGate: Sendable {
    let limit: Int
    private struct State {
        /// Connections accepted and not yet closed, refused ones included: the listener's pace.
        var accepted = 0
        /// Connections let through to the router and not yet closed: at most `limit`.
        var admitted = 0
        var lastWarning: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    let logger: Logger

    init(limit: Int, logger: Logger) {
        self.limit = limit
        self.logger = logger
    }

    /// Hummingbird's accept pacing, counted on the listener's event loop as each connection is
    /// accepted and closed, so the next accept already sees the count (a pause requested from a
    /// connection's own event loop came too late on a loaded machine: the listener accepted the
    /// next client first, which got a 503 instead of waiting).
    var pacing: some AvailableConnectionsDelegate { Pacing(gate: self) }

    private struct Pacing: AvailableConnectionsDelegate {
        let gate: HTTPConnectionGate
        mutating func connectionOpened() { gate.state.withLock { $0.accepted += 1 } }
        mutating func connectionClosed() { gate.state.withLock { $0.accepted -= 1 } }
        func isAcceptingNewConnections() -> Bool {
            let accepting = gate.state.withLock { $0.accepted < gate.limit }
            if !accepting { gate.warn() }
            return accepting
        }
    }

    /// Admits one more connection to the router, or refuses it (false) when `limit` are admitted.
    func enter() -> Bool {
        let admitted = state.withLock { state -> Bool in
            guard state.admitted < limit else { return false }
            state.admitted += 1
            return true
        }
        if !admitted { warn() }
        return admitted
    }

    func leave() {
        state.withLock { $0.admitted -= 1 }
    }

    /// Said when accepting pauses or a connection is refused, at most every 10 s.
    private func warn() {
        let due = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            if let last = state.lastWarning, now - last < .seconds(10) { return false }
            state.lastWarning = now
            return true
        }
        if due {
            logger.warning("HTTP connections at the limit: \(limit) are open, new ones wait until one closes; raise it with --http-max-connections (and the descriptor limit)",
                           metadata: ["limit": "\(limit)"])
        }
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
