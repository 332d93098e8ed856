import CZeroMQ
import Foundation
import Synchronization

/// What happens to a socket's connections, read without blocking: the only way a CURVE client
/// learns that the server refused its key (libzmq reports it as a socket event, never as a
/// failed send or receive; the messages just wait).
///
/// Create it right after the socket and before `connect`: libzmq drops events while nobody
/// listens. Like the socket it watches, it belongs to one thread.
public final class ZMQMonitor {
    public struct Event: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case handshakeSucceeded
            /// The server's ZAP handler said no; `value` is its status code (400).
            case authenticationFailed
            /// Mechanisms or keys do not match (CURVE against plain, wrong server key).
            case protocolFailed
            case handshakeFailed
            case disconnected
            case other
        }

        public var kind: Kind
        /// libzmq's event value: the ZAP status code, a ZMQ_PROTOCOL_ERROR_* code, or a file descriptor.
        public var value: UInt32
        public var endpoint: String

        public init(kind: Kind, value: UInt32, endpoint: String) {
            self.kind = kind
            self.value = value
            self.endpoint = endpoint
        }
    }

    private static let counter = Atomic<Int>(0)
    private let pair: ZMQSocket

    public init(watching socket: ZMQSocket) throws(ZMQError) {
        let endpoint = "inproc://gopfarm-monitor-\(Self.counter.add(1, ordering: .relaxed).newValue)"
        let events = gf_ZMQ_EVENT_HANDSHAKE_SUCCEEDED() | gf_ZMQ_EVENT_HANDSHAKE_FAILED_AUTH()
            | gf_ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL() | gf_ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL() | gf_ZMQ_EVENT_DISCONNECTED()
        if zmq_socket_monitor(socket.handle, endpoint, events) != 0 { throw ZMQError("zmq_socket_monitor") }
        pair = try ZMQSocket(context: socket.context, kind: .pair)
        try pair.connect(endpoint)
    }

    /// The events since the last call, oldest first; never blocks.
    public func poll() -> [Event] {
        var events: [Event] = []
        while (try? pair.poll(milliseconds: 0)) == true, let frames = try? pair.receive() {
            // Frame 1: UInt16 event · UInt32 value (native byte order); frame 2: the endpoint.
            guard frames.count == 2, frames[0].count == 6 else { continue }
            let bytes = [UInt8](frames[0])
            let id = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
            let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
            events.append(Event(kind: Self.kind(Int32(id)), value: value, endpoint: String(decoding: frames[1], as: UTF8.self)))
        }
        return events
    }

    private static func kind(_ id: Int32) -> Event.Kind {
        switch id {
        case gf_ZMQ_EVENT_HANDSHAKE_SUCCEEDED(): .handshakeSucceeded
        case gf_ZMQ_EVENT_HANDSHAKE_FAILED_AUTH(): .authenticationFailed
        case gf_ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL(): .protocolFailed
        case gf_ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL(): .handshakeFailed
        case gf_ZMQ_EVENT_DISCONNECTED(): .disconnected
        default: .other
        }
    }
}
