import GopfarmCommon

/// Watches the link's handshake events and says what is wrong once per failing streak: the
/// coordinator's refusal shows up only as a socket event, so without this an agent it does not
/// allow would wait in silence. Pure: the runtime logs what it returns.
public struct HandshakeWatch: Sendable {
    public let security: AgentSecurity
    private var told = false

    public init(security: AgentSecurity) { self.security = security }

    /// The sentence to log for these events, if a new failing streak began among them.
    public mutating func trouble(in events: [ZMQMonitor.Event]) -> String? {
        var sentence: String?
        for event in events {
            switch event.kind {
            case .handshakeSucceeded:
                told = false
            case .authenticationFailed, .protocolFailed, .handshakeFailed:
                if !told { sentence = Self.sentence(security, event.kind) }
                told = true
            case .disconnected, .other:
                break
            }
        }
        return sentence
    }

    public static func sentence(_ security: AgentSecurity, _ kind: ZMQMonitor.Event.Kind) -> String {
        switch (security, kind) {
        case (.curve(_, let keyPair), .authenticationFailed):
            // Quoted: Z85 keys hold shell characters ($ * [ & < >), never a single quote.
            "the coordinator refused this agent's key \(keyPair.publicKey); ask ops to run: gopfarm agents allow -- '\(keyPair.publicKey)'"
        case (.curve, _):
            "the CURVE handshake with the coordinator failed; check that --coordinator-key is what `gopfarm keys show` prints on the coordinator and that it was started with CURVE"
        case (.insecure, _):
            "the handshake with the coordinator failed; it probably requires CURVE: pass --coordinator-key (from `gopfarm keys show` on the coordinator) instead of --insecure"
        }
    }
}
