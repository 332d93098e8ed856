import Foundation
import Logging
import ServiceLifecycle

/// Runs the retention sweep when the coordinator starts (leftovers of a crash) and every
/// `RetentionPolicy.sweepSeconds` after, until the graceful shutdown.
struct RetentionService: Service {
    let sweeper: RetentionSweeper

    func run() async throws {
        var atStart = true
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do { try await sweeper.sweep(atStart: atStart) } catch is CancellationError {
                return  // the coordinator is stopping
            } catch {
                sweeper.logger.warning("retention sweep failed", metadata: ["error": "\(error)"])
            }
            atStart = false
            try? await gracefulShutdown(sleeping: sweeper.config.retention.sweepSeconds)
        }
    }

    private func gracefulShutdown(sleeping seconds: Double) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(seconds)) }
    }
}
