import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Hummingbird
import Logging
import ServiceLifecycle

/// `gopfarm serve` put together: the farm's services (the job pipeline's threads, the agent
/// endpoint with its lease checker, the live progress publisher) and the HTTP API run in one
/// swift-service-lifecycle group; SIGTERM or SIGINT shut them down in reverse order (progress
/// streams, dispatcher, pipeline, then HTTP), with all state already in the store.
public struct FarmServer {
    public let config: ServeConfig
    public let logger: Logger

    public init(config: ServeConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Opens the store, writes the first admin token and the key pair when missing, starts the
    /// agent endpoint, then serves HTTP until a shutdown signal. `announce` gets each line to
    /// show the operator once everything listens.
    public func run(announce: @escaping @Sendable (String) -> Void) async throws {
        let descriptors = DescriptorLimit.raise()
        try FileManager.default.createDirectory(at: config.dataDirectory, withIntermediateDirectories: true)
        // First: one coordinator per data directory, and everything it creates private.
        let lock = try DataDirectoryLock.acquire(config)
        defer { withExtendedLifetime(lock) {} }
        let (curve, keyLine) = try keyPair(announce)
        // Opening the store (migrations) is blocking SQLite work: not on the cooperative pool.
        let config = self.config, logger = self.logger
        let service = try await JobWorkers.offPool("gopfarm-open") { try FarmService(config: config, curve: curve, logger: logger) }
        if try await service.store.tokenCount() == 0 {
            let token = try await service.store.createToken(name: "admin", role: .admin)
            try Data((token + "\n").utf8).write(to: config.adminTokenPath, options: .atomic)
            chmod(config.adminTokenPath.path, 0o600)
            announce("wrote the admin token to \(config.adminTokenPath.path) (mode 0600); use it with --token or GOPFARM_TOKEN")
        }
        let endpoint = try await service.listen()
        let router = APIRouter(service: service).build()
        let connections = HTTPConnectionGate(limit: config.httpMaxConnections ?? HTTPConnectionGate.defaultLimit(descriptors: descriptors),
                                             logger: logger)
        let port = config.httpPort, host = config.httpHost
        let app = Application(
            router: router,
            server: .farmHTTP1(idleSeconds: config.httpIdleSeconds, gate: connections),
            configuration: .init(address: .hostname(host, port: port), serverName: "gopfarm", availableConnectionsDelegate: connections.pacing),
            onServerRunning: { channel in
                let actual = channel.localAddress?.port ?? port
                announce("HTTP API on http://\(host):\(actual)")
                announce("dashboard on http://\(host):\(actual)/ (log in with a token)")
                announce("agents connect to \(endpoint)\(keyLine)")
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            // Shut down in reverse order: the farm first (the progress publisher ends open event
            // streams), then HTTP, whose graceful shutdown waits for open connections.
            services: ([app] + service.services + [WebhookService(store: service.store, policy: config.webhookRetry, sender: WebhookSender(targets: config.webhookTargets), logger: logger)]).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint, .sighup], logger: logger))
        try await group.run()
    }

    /// The coordinator's CURVE key pair (made on first start), or nil with `--insecure`.
    private func keyPair(_ announce: (String) -> Void) throws -> (CurveKeyPair?, String) {
        if config.insecure { return (nil, " (plain TCP: --insecure)") }
        let pair: CurveKeyPair
        if FileManager.default.fileExists(atPath: config.keyPath.path) {
            pair = try CurveKeyPair.load(from: config.keyPath)
        } else {
            pair = try CurveKeyPair.generate()
            try pair.save(to: config.keyPath)
            announce("wrote the coordinator's CURVE key pair to \(config.keyPath.path) (mode 0600)")
        }
        return (pair,
                " with CURVE; coordinator public key \(pair.publicKey) (agents: --coordinator-key; allow them with gopfarm agents allow KEY)")
    }
}
