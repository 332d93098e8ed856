import Foundation
import GopfarmCommon
import Logging

/// The `gopfarm-agent` processes a `transcode` starts on this machine. Each watches our pid and
/// exits when we are gone; an agent that dies is started again (up to a limit) so one crash
/// cannot stall the job, and the dispatcher requeues what it held.
public final class LocalAgents {
    private var processes: [Process?]
    private let arguments: (Int) -> [String]
    private let executable: URL
    private let logDirectory: URL
    private let logger: Logger
    public private(set) var restarts = 0
    public let maxRestarts: Int

    public init(count: Int, endpoint: String, threads: Int, logDirectory: URL, logger: Logger) throws {
        executable = try Self.locateAgentBinary()
        processes = Array(repeating: nil, count: count)
        self.logDirectory = logDirectory
        self.logger = logger
        maxRestarts = 3 * count
        let parent = getpid()
        arguments = { i in
            ["--coordinator", endpoint, "--insecure", "--slots", "1", "--threads", "\(threads)", "--name", "local-\(i + 1)",
             "--parent-pid", "\(parent)"]
        }
        for i in 0..<count { try launch(i) }
    }

    /// `GOPFARM_AGENT_BIN`, else `gopfarm-agent` next to this executable, else on `PATH`.
    public static func locateAgentBinary() throws -> URL {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["GOPFARM_AGENT_BIN"] {
            guard fm.isExecutableFile(atPath: explicit) else {
                throw MediaError(.notFound, "GOPFARM_AGENT_BIN points to \(explicit), which is not an executable")
            }
            return URL(fileURLWithPath: explicit)
        }
        let me = URL(fileURLWithPath: (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let sibling = me.deletingLastPathComponent().appendingPathComponent("gopfarm-agent")
        if fm.isExecutableFile(atPath: sibling.path) { return sibling }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("gopfarm-agent")
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MediaError(.notFound, "cannot find the gopfarm-agent executable next to gopfarm or on PATH (set GOPFARM_AGENT_BIN)")
    }

    private func launch(_ i: Int) throws {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments(i)
        let log = logDirectory.appendingPathComponent("agent-\(i + 1).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.runWithSignalsDelivered()
        processes[i] = p
    }

    public var pids: [Int32] { processes.compactMap { $0?.processIdentifier } }

    /// Restarts agents that died. Returns false when the restart budget is spent.
    public func supervise() -> Bool {
        for i in processes.indices {
            guard let p = processes[i], !p.isRunning else { continue }
            guard restarts < maxRestarts else { return false }
            restarts += 1
            logger.warning("local agent died; starting it again", metadata: ["agent": "local-\(i + 1)", "status": "\(p.terminationStatus)"])
            do { try launch(i) } catch { return false }
        }
        return true
    }

    public func stop() {
        for p in processes.compactMap({ $0 }) where p.isRunning { p.terminate() }
        let deadline = Date().addingTimeInterval(3)
        for p in processes.compactMap({ $0 }) {
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        }
    }
}
