import Foundation
import GopfarmCommon
import Synchronization

/// The dashboard's log-in sessions, in memory: a random 32-byte id (the cookie) maps to the
/// token the user pasted, a CSRF token for its forms, and an expiry. The token is resolved
/// against the store on every request, so a token revoked or expired there ends its sessions
/// too; a coordinator restart logs everyone out (the cookie names nothing the store keeps).
public final class DashboardSessions: Sendable {
    public struct Session: Sendable, Equatable {
        public var id: String
        public var token: String
        public var csrf: String
        public var expires: Date
    }

    /// How long a session lasts after its log-in.
    public let lifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])
    /// This process's key for log-in form nonces.
    private let loginKey = Data(DashboardSessions.random().utf8)

    public init(lifetime: TimeInterval = 12 * 3600) { self.lifetime = lifetime }

    /// A new session for a verified token.
    public func open(token: String, now: Date = Date()) -> Session {
        let session = Session(id: Self.random(), token: token, csrf: Self.random(), expires: now.addingTimeInterval(lifetime))
        sessions.withLock { all in
            all = all.filter { $0.value.expires > now }
            all[session.id] = session
        }
        return session
    }

    /// The live session with this id, nil for an unknown or expired one.
    public func session(_ id: String, now: Date = Date()) -> Session? {
        sessions.withLock { all in
            guard let s = all[id] else { return nil }
            guard s.expires > now else { all[id] = nil; return nil }
            return s
        }
    }

    public func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    public var count: Int { sessions.withLock { $0.count } }

    /// A log-in form's nonce, `RANDOM.MAC`: the cookie and the hidden field carry it, and the
    /// MAC under this process's key shows the coordinator made it. A pair the browser did not get
    /// from this coordinator (a cookie planted by a neighbouring site, with the same value posted)
    /// is refused, which an unsigned double-submit token cannot tell.
    func loginNonce() -> String {
        let nonce = Self.random()
        return nonce + "." + HMACSHA256.hex(key: loginKey, message: Data(nonce.utf8))
    }

    func madeHere(_ loginNonce: String) -> Bool {
        let parts = loginNonce.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 64 else { return false }
        return DashboardRoutes.same(String(parts[1]), HMACSHA256.hex(key: loginKey, message: Data(parts[0].utf8)))
    }

    /// 32 random bytes as hex (the system's generator, as tokens use).
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
