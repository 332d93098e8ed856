import CZeroMQ
import Foundation

/// CURVE (ZeroMQ RFC 26) on a socket: encryption plus, with a `ZAPHandler` in the same context,
/// a check of the client's public key. Every option here must be set before `bind`/`connect`.
extension ZMQSocket {
    /// The ZAP domain the coordinator's server sockets announce, so a `ZAPHandler` can tell
    /// them from other sockets of the process.
    public static let zapDomain = "gopfarm"

    public func setOption(_ option: Int32, string: String) throws(ZMQError) {
        let bytes = Array(string.utf8)
        if zmq_setsockopt(handle, option, bytes, bytes.count) != 0 { throw ZMQError("zmq_setsockopt(\(option))") }
    }

    /// The coordinator's side: clients must know `secretKey`'s public half, and each
    /// handshake is put to the `ZAPHandler` of this socket's context.
    public func makeCurveServer(secretKey: String) throws(ZMQError) {
        try Self.checkKey(secretKey)
        try setOption(gf_ZMQ_CURVE_SERVER(), 1)
        try setOption(gf_ZMQ_CURVE_SECRETKEY(), string: secretKey)
        try setOption(gf_ZMQ_ZAP_DOMAIN(), string: Self.zapDomain)
    }

    /// An agent's side: talks only to the server holding `serverPublicKey`'s secret, and
    /// proves it holds `keyPair`'s secret.
    public func makeCurveClient(serverPublicKey: String, keyPair: CurveKeyPair) throws(ZMQError) {
        for key in [serverPublicKey, keyPair.publicKey, keyPair.secretKey] { try Self.checkKey(key) }
        try setOption(gf_ZMQ_CURVE_SERVERKEY(), string: serverPublicKey)
        try setOption(gf_ZMQ_CURVE_PUBLICKEY(), string: keyPair.publicKey)
        try setOption(gf_ZMQ_CURVE_SECRETKEY(), string: keyPair.secretKey)
    }

    /// Like `receive()`, plus the user id the `ZAPHandler` gave the sender's connection (its
    /// Z85 public key), so the coordinator knows which allowed key sent a message; nil on a
    /// socket without ZAP. libzmq attaches it to every frame, including a ROUTER's routing id.
    public func receiveWithUserID() throws(ZMQError) -> (frames: [Data], userID: String?) {
        try receiveWithUserID(waiting: true)!
    }

    /// The next whole message if one is queued, nil at once otherwise: a busy loop drains its
    /// socket with this instead of a poll before every message.
    public func receiveIfQueued() throws(ZMQError) -> (frames: [Data], userID: String?)? {
        try receiveWithUserID(waiting: false)
    }

    private func receiveWithUserID(waiting: Bool) throws(ZMQError) -> (frames: [Data], userID: String?)? {
        var frames: [Data] = []
        var userID: String?
        repeat {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            // Only the first part can be missing: the parts of a message arrive together.
            let flags = waiting || !frames.isEmpty ? 0 : gf_ZMQ_DONTWAIT()
            var rc: Int32
            repeat { rc = zmq_msg_recv(&message, handle, flags) } while rc < 0 && zmq_errno() == gf_EINTR()
            if rc < 0, frames.isEmpty, zmq_errno() == gf_EAGAIN() { return nil }
            if rc < 0 { throw ZMQError("zmq_msg_recv") }
            if userID == nil, let property = zmq_msg_gets(&message, "User-Id") { userID = String(cString: property) }
            let size = zmq_msg_size(&message)
            frames.append(size == 0 ? Data() : Data(bytes: zmq_msg_data(&message), count: size))
            if zmq_msg_more(&message) == 0 { break }
        } while true
        return (frames, userID)
    }

    /// libzmq would take a bad key as EINVAL without saying which; this says the same, earlier.
    private static func checkKey(_ key: String) throws(ZMQError) {
        guard CurveKeyPair.isValidKey(key) else { throw ZMQError("CURVE key is not 40 Z85 characters", errno: EINVAL) }
    }
}
