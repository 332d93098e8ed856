import Foundation
import GopfarmAPI
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Gives the 400 Hummingbird sends for a request its HTTP parser cannot read (a garbage
/// request line, a bad `Content-Length`, broken chunking) the API's error body. Hummingbird
/// writes that answer itself, below the router, as a head with `Content-Length: 0` and
/// `Connection: close`; this handler, on each connection's channel, recognises it and adds
/// `{"error": "…"}`. Every other response passes untouched.
final class MalformedRequestBody: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let sentence = "the request is not valid HTTP/1.1 and cannot be read"
    private var pendingBody: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status == .badRequest && head.headerFields[.contentLength] == "0" && head.headerFields[.connection] == "close":
            let body = APIError.body(Self.sentence)
            head.headerFields[.contentLength] = String(body.count)
            head.headerFields[.contentType] = "application/json"
            pendingBody = context.channel.allocator.buffer(bytes: body)
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end(let trailers):
            if let body = pendingBody {
                pendingBody = nil
                context.write(wrapOutboundOut(.body(body)), promise: nil)
            }
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 as `gopfarm serve` speaks it: unreadable requests get the API's error body, and a
    /// connection that sends nothing for `idleSeconds` (between requests, or stalled inside a
    /// request's head or body) is closed. Without it, clients that connected and sent nothing
    /// held their descriptors for good, and enough of them left serve unable to answer anyone.
    /// A response being written (an event stream) is not idle. With a `gate`, connections past
    /// its limit are refused (`HTTPConnectionLimit`).
    static func farmHTTP1(idleSeconds: Double = ServeConfig.defaultHTTPIdleSeconds, gate: HTTPConnectionGate? = nil) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: (gate.map { [HTTPConnectionLimit(gate: $0)] } ?? []) + [MalformedRequestBody()],
                                    idleTimeout: .nanoseconds(Int64(idleSeconds * 1e9))))
    }
}
