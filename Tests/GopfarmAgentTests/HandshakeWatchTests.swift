import GopfarmAgent
import GopfarmCommon
import Testing

/// The agent says what is wrong with its handshake once per failing streak, in the sentence
/// that fits its security mode.
@Suite("HandshakeWatch")
struct HandshakeWatchTests {
    static func event(_ kind: ZMQMonitor.Event.Kind) -> ZMQMonitor.Event {
        ZMQMonitor.Event(kind: kind, value: 0, endpoint: "tcp://127.0.0.1:1")
    }

    @Test func oncePerFailingStreak() {
        let pair = CurveKeyPair(publicKey: String(repeating: "a", count: 40), secretKey: String(repeating: "b", count: 40))
        var watch = HandshakeWatch(security: .curve(coordinatorKey: String(repeating: "c", count: 40), keyPair: pair))
        let first = watch.trouble(in: [Self.event(.authenticationFailed), Self.event(.authenticationFailed)])
        #expect(first?.contains("gopfarm agents allow -- '\(pair.publicKey)'") == true)
        #expect(watch.trouble(in: [Self.event(.authenticationFailed)]) == nil)
        #expect(watch.trouble(in: [Self.event(.disconnected), Self.event(.other)]) == nil)
        #expect(watch.trouble(in: [Self.event(.handshakeSucceeded)]) == nil)
        // A new streak after a success is told again, in the words for its kind.
        let second = watch.trouble(in: [Self.event(.protocolFailed)])
        #expect(second?.contains("--coordinator-key") == true)
    }

    @Test func insecureAgentIsToldAboutCurve() {
        var watch = HandshakeWatch(security: .insecure)
        #expect(watch.trouble(in: [Self.event(.handshakeFailed)])?.contains("instead of --insecure") == true)
    }
}
