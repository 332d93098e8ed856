import CZeroMQ

/// A libzmq failure with the call that failed and libzmq's own text.
public struct ZMQError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32 = zmq_errno()) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call): \(reason)" }
    /// What went wrong, without the call (`Address already in use`).
    public var reason: String { String(cString: zmq_strerror(errno)) }
}
