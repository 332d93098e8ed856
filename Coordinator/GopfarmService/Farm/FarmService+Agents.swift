import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

extension FarmService {
    public func reloadAllowedKeys() {
        if let keys = try? store.allowedKeys() { allowedKeys.replace(Set(keys.map(\.publicKey))) }
    }

    public func reloadAllowedKeys() async {
        if let keys = try? await store.allowedKeys() { allowedKeys.replace(Set(keys.map(\.publicKey))) }
    }

    func allowKey(_ request: AgentKeyRequest) async throws(APIError) -> AgentKeyView {
        guard CurveKeyPair.isValidKey(request.publicKey) else {
            throw APIError(.unprocessable, "'\(request.publicKey.prefix(60))' is not a CURVE public key (40 Z85 characters, as `gopfarm-agent keys init` prints)")
        }
        if let name = request.name, name.isEmpty || name.count > 200 { throw APIError(.unprocessable, "key names have 1 to 200 characters") }
        do { try await store.allowKey(request.publicKey, name: request.name) } catch { throw APIError(.unavailable, "\(error)") }
        await reloadAllowedKeys()
        dispatcher.allowKey(request.publicKey)
        await audit("agent-key", "allowed \(request.publicKey) (\(request.name ?? "unnamed"))")
        return AgentKeyView(publicKey: request.publicKey, name: request.name)
    }

    /// Stops allowing the key: the ZAP handler refuses its new connections, and the dispatcher
    /// drops the agents using it now (their segments go back to the queue).
    func revokeKey(_ key: String) async throws(APIError) {
        let removed: Bool
        do { removed = try await store.revokeKey(key) } catch { throw APIError(.unavailable, "\(error)") }
        guard removed else { throw APIError(.notFound, "no allowed key \(key.prefix(60))") }
        await reloadAllowedKeys()
        dispatcher.revokeKey(key)
        await audit("agent-key", "revoked \(key)")
    }
}
