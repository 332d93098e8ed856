import CZeroMQ
import Foundation

/// Owns a libzmq socket. Sockets are not thread safe: one socket lives on one thread (the
/// coordinator's dispatcher thread, an agent's connection thread) for its whole life.
public final class ZMQSocket {
    /// `pair` and `rep` serve the CURVE plumbing (socket monitor, ZAP handler).
    public enum Kind { case router, dealer, pair, rep }

    let handle: UnsafeMutableRawPointer
    let context: ZMQContext  // keeps the context alive as long as the socket

    public init(context: ZMQContext, kind: Kind) throws(ZMQError) {
        let type = switch kind {
        case .router: gf_ZMQ_ROUTER()
        case .dealer: gf_ZMQ_DEALER()
        case .pair: gf_ZMQ_PAIR()
        case .rep: gf_ZMQ_REP()
        }
        guard let h = zmq_socket(context.handle, type) else { throw ZMQError("zmq_socket") }
        handle = h
        self.context = context
        try setOption(gf_ZMQ_LINGER(), 0)
        if kind == .router { try setOption(gf_ZMQ_ROUTER_MANDATORY(), 1) }
    }

    deinit { zmq_close(handle) }

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        if zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) != 0 { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    public func setOption64(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var v = value
        if zmq_setsockopt(handle, option, &v, MemoryLayout<Int64>.size) != 0 { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    /// Binds and returns the endpoint actually bound (a `:0` or `:*` port becomes the real one).
    @discardableResult
    public func bind(_ endpoint: String) throws(ZMQError) -> String {
        let bindTo = endpoint.hasSuffix(":0") ? String(endpoint.dropLast(2)) + ":*" : endpoint
        if zmq_bind(handle, bindTo) != 0 { throw ZMQError("cannot listen on \(endpoint)") }
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        if zmq_getsockopt(handle, gf_ZMQ_LAST_ENDPOINT(), &buffer, &size) != 0 { return endpoint }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError("cannot connect to \(endpoint)") }
    }

    /// Waits up to `milliseconds` for a message; true when one can be received.
    public func poll(milliseconds: Int) throws(ZMQError) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(gf_ZMQ_POLLIN()), revents: 0)
        let n = zmq_poll(&item, 1, milliseconds)
        if n < 0 {
            if zmq_errno() == gf_EINTR() { return false }
            throw ZMQError("zmq_poll")
        }
        return n > 0 && item.revents & Int16(gf_ZMQ_POLLIN()) != 0
    }

    /// Sends all frames as one multipart message. Returns false when a ROUTER peer is gone.
    @discardableResult
    public func send(_ frames: [Data]) throws(ZMQError) -> Bool {
        for (i, frame) in frames.enumerated() {
            let flags = i < frames.count - 1 ? gf_ZMQ_SNDMORE() : 0
            while true {
                let rc = frame.count >= Self.zeroCopyThreshold ? sendWithoutCopy(frame, flags: flags)
                    : frame.withUnsafeBytes { raw in zmq_send(handle, raw.baseAddress, raw.count, flags) }
                if rc >= 0 { break }
                let err = zmq_errno()
                if err == gf_EINTR() { continue }  // interrupted by a signal: send the same frame again
                if err == gf_EHOSTUNREACH() { return false }
                throw ZMQError("zmq_send", errno: err)
            }
        }
        return true
    }

    /// Frames this large (segment payloads) are handed to libzmq without a copy.
    static let zeroCopyThreshold = 64 << 10

    /// Lends `frame`'s bytes to libzmq: a retained box keeps the (never mutated) `Data` and so
    /// its storage alive until libzmq's I/O thread calls the free function.
    private func sendWithoutCopy(_ frame: Data, flags: Int32) -> Int32 {
        let box = Unmanaged.passRetained(FrameBox(frame))
        let bytes = box.takeUnretainedValue().data.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress!) }
        var message = zmq_msg_t()
        let initialized = zmq_msg_init_data(&message, bytes, frame.count, { _, hint in
            Unmanaged<FrameBox>.fromOpaque(hint!).release()
        }, box.toOpaque())
        guard initialized == 0 else {
            box.release()
            return -1
        }
        let rc = zmq_msg_send(&message, handle, flags)
        if rc < 0 { zmq_msg_close(&message) }  // not taken: closing calls the free function
        return rc
    }

    /// Receives one whole multipart message (blocking; call after `poll` says it is there).
    public func receive() throws(ZMQError) -> [Data] {
        try receiveWithUserID().frames
    }
}

/// Owner of a frame lent to libzmq (see `sendWithoutCopy`).
final class FrameBox {
    let data: Data
    init(_ data: Data) { self.data = data }
}
