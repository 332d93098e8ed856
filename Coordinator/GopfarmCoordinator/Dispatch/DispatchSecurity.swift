import GopfarmCommon
import Logging

/// How agents authenticate on the dispatcher's endpoint.
public enum DispatchSecurity: Sendable {
    /// Plain TCP: only when asked for (`--insecure`, local demo, `transcode` on loopback, tests).
    case insecure
    /// ZeroMQ CURVE with the coordinator's secret key; a ZAP handler admits only the agent
    /// public keys `isAllowed` accepts.
    case curve(secretKey: String, isAllowed: @Sendable (String) -> Bool)

    /// Starts what must exist before the socket binds (the ZAP handler), in `context`.
    func prepare(context: ZMQContext, logger: Logger) throws(ZMQError) -> ZAPHandler? {
        guard case .curve(_, let isAllowed) = self else { return nil }
        let handler = ZAPHandler(context: context, logger: logger, isAllowed: isAllowed)
        try handler.start()
        return handler
    }

    func configure(_ socket: ZMQSocket) throws(ZMQError) {
        if case .curve(let secretKey, _) = self { try socket.makeCurveServer(secretKey: secretKey) }
    }
}
