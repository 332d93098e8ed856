import Synchronization

/// The allow list of agent keys, cached for the ZAP handler.
public final class AllowedKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    public func contains(_ key: String) -> Bool { keys.withLock { $0.contains(key) } }
    func replace(_ new: Set<String>) { keys.withLock { $0 = new } }
}
