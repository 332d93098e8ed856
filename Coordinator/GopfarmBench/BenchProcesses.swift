import Foundation
import GopfarmCommon

/// The processes a bench starts for its farm, and what it removes when it ends: a `gopfarm
/// serve` with a temporary data directory, and `gopfarm-agent` processes (on this machine or
/// in emulated hosts). `stop()` ends them all and removes the directory; it is called on every
/// way out (done, failure, Ctrl-C). Agents also watch the bench's pid and exit without it.
///
/// @unchecked Sendable: `serve`, `agents` and `stopped` are guarded by `lock`; the rest is set in
/// `init` and never changes.
public final class BenchProcesses: @unchecked Sendable {
    /// The temporary directory: serve's data, logs, weak scaling's cut inputs.
    public let directory: URL
    public private(set) var url = ""
    public private(set) var agentEndpoint = ""
    public private(set) var publicKey: String?
    public private(set) var token = ""
    private let lock = NSLock()
    private var serve: Process?
    private var agents: [(process: Process, log: URL?)] = []
    private var stopped = false

    /// Makes the temporary directory (`gopfarm-bench-…` in the system's temporary directory).
    public init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-bench-\(getpid())-\(UUID().uuidString.prefix(8))")
        do { try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true) } catch {
            throw BenchError.farm("cannot create a temporary directory \(base.path): \(error.localizedDescription)")
        }
        directory = base
    }

    /// Starts `gopfarm serve` and waits until its HTTP API and agent endpoint listen.
    /// `http` and `bind` may use port 0 (the serve picks free ports and prints them).
    public func startServe(gopfarm: URL, inputRoots: [String], insecure: Bool, http: String = "127.0.0.1:0",
                           bind: String = "tcp://127.0.0.1:0", segmentSeconds: Double? = nil, timeout: Double = 60) throws {
        let data = directory.appendingPathComponent("data")
        var arguments = ["serve", "--http", http, "--bind", bind, "--data-dir", data.path, "--log-level", "warning"]
        for root in inputRoots { arguments += ["--input-root", root] }
        if insecure { arguments.append("--insecure") }
        if let segmentSeconds { arguments += ["--segment-seconds", "\(segmentSeconds)"] }
        let log = directory.appendingPathComponent("serve.log")
        let process = try launch(gopfarm, arguments, log: log)
        lock.withLock { serve = process }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let http = Self.value(after: "HTTP API on ", in: text), let endpoint = Self.value(after: "agents connect to ", in: text) {
                url = http
                agentEndpoint = endpoint
                publicKey = text.components(separatedBy: "coordinator public key ").dropFirst().last?.split(separator: " ").first.map(String.init)
                token = ((try? String(contentsOf: data.appendingPathComponent("admin-token"), encoding: .utf8)) ?? "")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                guard !token.isEmpty else { throw BenchError.farm("gopfarm serve wrote no admin token in \(data.path)") }
                return
            }
            if Task.isCancelled { throw CancellationError() }
            if !process.isRunning {
                let last = text.split(separator: "\n").last.map(String.init) ?? "no output"
                throw BenchError.farm("the bench's gopfarm serve exited at start (\(last))")
            }
            usleep(50_000)
        }
        throw BenchError.farm("the bench's gopfarm serve did not start listening within \(Int(timeout)) s (log: \(log.path))")
    }

    /// Starts one agent process on this machine.
    public func startAgent(_ executable: URL, _ arguments: [String], name: String) throws {
        let log = directory.appendingPathComponent("agent-\(name).log")
        let process = try launch(executable, arguments + ["--parent-pid", "\(getpid())"], log: log)
        lock.withLock { agents.append((process, log)) }
    }

    /// Adopts a process started elsewhere (in an emulated host) so `stop()` ends it too.
    public func adopt(_ process: Process, log: URL? = nil) {
        lock.withLock { agents.append((process, log)) }
    }

    /// Agents that exited (a crash, a refused key): their count, and the last line one of them logged.
    public var exitedAgents: (count: Int, lastLine: String?) {
        let exited = lock.withLock { agents.filter { !$0.process.isRunning } }
        let line = exited.lazy.compactMap { $0.log.flatMap { try? String(contentsOf: $0, encoding: .utf8) } }
            .compactMap { $0.split(separator: "\n").last.map(String.init) }.first
        return (exited.count, line)
    }

    /// Ends the agents, then the serve (SIGTERM, SIGKILL after `grace` seconds), and removes the
    /// directory unless `keep`. Safe to call more than once.
    public func stop(grace: Double = 3, keep: Bool = false) {
        let (serve, agents) = lock.withLock { () -> (Process?, [Process]) in
            defer { stopped = true }
            return stopped ? (nil, []) : (self.serve, self.agents.map(\.process))
        }
        Self.end(agents, grace: grace)
        Self.end(serve.map { [$0] } ?? [], grace: grace)
        if !keep { try? FileManager.default.removeItem(at: directory) }
    }

    static func end(_ processes: [Process], grace: Double) {
        for p in processes where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(grace)
        for p in processes {
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }

    private func launch(_ executable: URL, _ arguments: [String], log: URL) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        do {
            let handle = try FileHandle(forWritingTo: log)
            p.standardOutput = handle
            p.standardError = handle
            p.standardInput = FileHandle.nullDevice
            try p.runWithSignalsDelivered()
        } catch {
            throw BenchError.farm("cannot start \(executable.lastPathComponent): \(error.localizedDescription)")
        }
        return p
    }

    /// The first word after `prefix` on the last line that starts with it.
    static func value(after prefix: String, in text: String) -> String? {
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else { return nil }
        return line.dropFirst(prefix.count).split(separator: " ").first.map(String.init)
    }

    /// This executable, as the kernel knows it (`/proc/self/exe`), else argv[0].
    public static var currentExecutable: URL {
        URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    }
}
