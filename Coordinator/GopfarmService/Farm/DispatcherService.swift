import ServiceLifecycle

/// The dispatcher (agent endpoint, leases, the hand-off of finished jobs) as a lifecycle service:
/// `FarmService.listen()` bound it before the group started, so the endpoint is known when HTTP
/// announces it; on graceful shutdown it stops dispatching and lets agents wait for the next
/// coordinator.
struct DispatcherService: Service {
    let farm: FarmService

    func run() async throws {
        try? await gracefulShutdown()
        await farm.stopDispatching()
    }
}
