import CZeroMQ

/// Owns a libzmq context. Contexts are thread safe (libzmq's guarantee), hence Sendable.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: libzmq documents zmq_ctx_* as thread safe; the pointer is immutable.
    let handle: UnsafeMutableRawPointer

    public init() {
        guard let h = zmq_ctx_new() else { fatalError("zmq_ctx_new failed") }
        handle = h
    }

    deinit { zmq_ctx_term(handle) }
}
