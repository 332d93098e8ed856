import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmCoordinator

/// How every client command runs: signals installed, the body raced against SIGINT/SIGTERM (so
/// a hung connection never makes Ctrl-C useless), and any failure printed as one sentence.
enum ClientRun {
    /// Runs `body`; exits 1 with one sentence on failure, 130 when interrupted.
    /// `onInterrupt` may print what the interruption leaves behind (a job that goes on).
    static func run(onInterrupt: (@Sendable () -> Void)? = nil,
                    _ body: @escaping @Sendable () async throws -> Void) async throws {
        CLIEnvironment.bootstrap(verbose: false)
        do {
            try await interruptible(body)
        } catch ClientError.interrupted {
            onInterrupt?()
            throw ExitCode(130)
        } catch let code as ExitCode {
            throw code
        } catch let usage as ValidationError {
            throw usage  // exit 64 with the hint, as the parser's own refusals
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }

    /// Runs `body`, throwing `ClientError.interrupted` within 100 ms of SIGINT or SIGTERM
    /// (CLIEnvironment's handler sets `transcodeCancelled`); the body is cancelled.
    static func interruptible<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                while !transcodeCancelled.load(ordering: .relaxed) {
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw ClientError.interrupted
            }
            defer { group.cancelAll() }
            do {
                guard let value = try await group.next(), let value else { throw ClientError.interrupted }
                return value
            } catch {
                // A body cancelled by the watcher reports `interrupted` too; either way the
                // interruption is what the user should hear about.
                if transcodeCancelled.load(ordering: .relaxed) { throw ClientError.interrupted }
                throw error
            }
        }
    }

    /// Runs `body` again, with back-off, while it fails in a way that may pass (the coordinator
    /// restarting), for up to `limit` seconds; `onRetry` hears about the first such failure.
    static func retryingTransient<T: Sendable>(limit: Double = 60, onRetry: (ClientError) -> Void = { _ in },
                                               _ body: () async throws -> T) async throws -> T {
        var since: Date?
        var backoff = 0.5
        while true {
            do { return try await body() } catch let error as ClientError where error.isTransient {
                if since == nil { onRetry(error) }
                let start = since ?? Date()
                since = start
                if Date().timeIntervalSince(start) >= limit { throw error }
                try await pause(backoff)
                backoff = min(backoff * 2, 5)
            }
        }
    }

    /// Sleeps, or throws `interrupted` if the task is cancelled meanwhile.
    static func pause(_ seconds: Double) async throws { try await APIClient.pause(seconds) }
}

extension ClientOptions {
    /// The client for these options, or one sentence saying what is missing.
    func makeClient() throws -> APIClient {
        APIClient(try resolve())
    }
}

extension APIClient {
    init(_ resolved: ClientOptions.Resolved) {
        self.init(baseURL: resolved.url, token: resolved.token)
    }
}
