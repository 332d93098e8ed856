import Synchronization

/// The jobs that, probed, wait for an agent to connect before they are planned
/// (`PipelineService.slotsToPlan`); their views say so (`JobView.waitingForAgents`).
final class AgentWaits: Sendable {
    private let ids = Mutex<Set<String>>([])

    func begin(_ id: String) { ids.withLock { _ = $0.insert(id) } }
    func end(_ id: String) { ids.withLock { _ = $0.remove(id) } }
    func contains(_ id: String) -> Bool { ids.withLock { $0.contains(id) } }
}
