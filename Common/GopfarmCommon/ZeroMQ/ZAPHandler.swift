import Foundation
import Logging
import Synchronization

/// Answers libzmq's authentication requests (ZAP, ZeroMQ RFC 27) for one context: a CURVE
/// client is let in only when `isAllowed` says yes to its public key, and its connection's
/// user id becomes that key (see `ZMQSocket.receiveWithUserID`).
///
/// libzmq asks whoever is bound to `inproc://zeromq.zap.01` in the server socket's context;
/// with nobody bound it lets every CURVE client in. So `start()` returns only once bound, and
/// must run before the server socket binds. The REP socket lives on the handler's own thread.
public final class ZAPHandler: Sendable {
    public static let endpoint = "inproc://zeromq.zap.01"

    private let context: ZMQContext
    private let logger: Logger
    private let isAllowed: @Sendable (String) -> Bool
    private let bound = Mutex<Result<Void, ZMQError>?>(nil)
    private let stopRequested = Atomic<Bool>(false)
    private let startedSignal = DispatchSemaphore(value: 0)
    private let exitedSignal = DispatchSemaphore(value: 0)

    /// `isAllowed` gets the client's Z85 public key, on the handler's thread; it should be quick
    /// (a set lookup), since every handshake of the context waits for it.
    public init(context: ZMQContext, logger: Logger = Logger(label: "gopfarm.zap"), isAllowed: @escaping @Sendable (String) -> Bool) {
        self.context = context
        self.logger = logger
        self.isAllowed = isAllowed
    }

    /// Binds the handler and starts answering; fails when another handler is bound already.
    public func start() throws(ZMQError) {
        let thread = Thread { [self] in
            self.loop()
            self.exitedSignal.signal()
        }
        thread.name = "gopfarm-zap"
        thread.start()
        startedSignal.wait()
        try bound.withLock { $0! }.get()
    }

    /// Stops answering and waits for the thread. Call it after closing the server sockets:
    /// with no handler bound, libzmq lets every CURVE client in again.
    public func stop() {
        guard bound.withLock({ if case .success = $0 { true } else { false } }) else { return }
        guard !stopRequested.exchange(true, ordering: .relaxed) else { return }
        exitedSignal.wait()
    }

    private func loop() {
        let socket: ZMQSocket
        do {
            socket = try ZMQSocket(context: context, kind: .rep)
            try socket.bind(Self.endpoint)
        } catch {
            bound.withLock { $0 = .failure(error) }
            startedSignal.signal()
            return
        }
        bound.withLock { $0 = .success(()) }
        startedSignal.signal()
        var warned = Set<String>()
        while !stopRequested.load(ordering: .relaxed) {
            do {
                guard try socket.poll(milliseconds: 50) else { continue }
                let request = try socket.receive()
                try socket.send(reply(to: request, warned: &warned))
            } catch {
                // A REP socket out of step can only be a libzmq bug; say so and go on answering.
                logger.error("ZAP handler error", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The reply to one request; any malformed request gets a refusal, never a crash.
    func reply(to request: [Data], warned: inout Set<String>) -> [Data] {
        let requestID = request.count > 1 ? request[1] : Data()
        func answer(_ status: String, _ text: String, user: String = "") -> [Data] {
            [Data("1.0".utf8), requestID, Data(status.utf8), Data(text.utf8), Data(user.utf8), Data()]
        }
        guard request.count >= 6, request[0] == Data("1.0".utf8) else {
            logger.warning("refused a malformed ZAP request", metadata: ["frames": "\(request.count)"])
            return answer("500", "malformed ZAP request")
        }
        let address = String(decoding: request[3], as: UTF8.self)
        let mechanism = String(decoding: request[5], as: UTF8.self)
        guard mechanism == "CURVE" else {
            logger.warning("refused a connection without CURVE", metadata: ["mechanism": "\(mechanism)", "address": "\(address)"])
            return answer("400", "CURVE required")
        }
        guard request.count == 7, let key = CurveKeyPair.z85(request[6]) else {
            return answer("400", "malformed CURVE credentials")
        }
        guard isAllowed(key) else {
            // Once per key: a refused agent retries every few seconds for as long as it runs.
            if warned.count < 10_000, warned.insert(key).inserted {
                logger.warning("refused an agent whose key is not allowed; allow it with: gopfarm agents allow -- '\(key)'",
                               metadata: ["key": "\(key)", "address": "\(address)"])
            }
            return answer("400", "key not allowed")
        }
        return answer("200", "OK", user: key)
    }
}
