import ArgumentParser
import Foundation
import GopfarmAgent
import GopfarmCommon
import Logging

/// The options of an agent process, shared by `gopfarm-agent` and the benchmark's
/// `gopfarm-bench-agent`, so both join a coordinator the same way.
public struct AgentOptions: ParsableArguments {
    public init() {}

    @Option(help: "Coordinator endpoint (ZeroMQ), e.g. tcp://host:5555.")
    var coordinator: String?

    /// `.unconditional`: a key made before keys stopped beginning with `-` still parses.
    @Option(parsing: .unconditional, help: "The coordinator's public key, or a file holding it (`gopfarm keys show` on the coordinator).")
    var coordinatorKey: String?

    @OptionGroup var keyFile: KeyFileOption

    @Flag(help: "Plain TCP without CURVE: only for a trusted loopback or network.")
    var insecure = false

    @Option(help: "Name shown to ops (default: host-pid).")
    var name: String?

    @Option(help: "Segments encoded at once.")
    var slots: Int?

    @Option(help: "Encoder threads per slot (default: cores / slots).")
    var threads: Int?

    @Option(help: ArgumentHelp("Segments received ahead and queued while the slots work (0-4), so no slot waits for a transfer between segments.",
                               valueName: "n"))
    var prefetch: Int = 1

    @Option(help: "Heartbeat interval in milliseconds.")
    var heartbeatMs: Int = 1000

    @Option(help: ArgumentHelp("After SIGTERM, seconds to finish the segments in progress and deliver them before handing them back (no wait for a coordinator that stopped answering).",
                               valueName: "seconds"))
    var stopTimeout: Double = 120

    @Option(help: .hidden)
    var parentPid: Int32?

    /// Tests only: claim another protocol version to check the coordinator refuses it.
    @Option(help: .hidden)
    var protocolVersion: Int = WireProtocol.version

    @Flag(help: "Log one JSON object per line.")
    var jsonLogs = false

    @Option(help: ArgumentHelp("Least severity logged: debug, info (two lines a segment), warning or error.", valueName: "level"))
    var logLevel = "info"

    public func validate() throws {
        if let slots, !(1...64).contains(slots) { throw ValidationError("--slots must be between 1 and 64") }
        if let threads, !(0...256).contains(threads) { throw ValidationError("--threads must be between 0 and 256") }
        if !(0...4).contains(prefetch) { throw ValidationError("--prefetch must be between 0 and 4") }
        if !(50...60_000).contains(heartbeatMs) { throw ValidationError("--heartbeat-ms must be between 50 and 60000") }
        if !(stopTimeout >= 0) { throw ValidationError("--stop-timeout must be 0 or more seconds") }
        if let name, let why = AgentHello.nameRefusal(name) { throw ValidationError("--name: " + why) }
        if LogLevelName(rawValue: logLevel) == nil { throw ValidationError("--log-level is \(LogLevelName.names), not '\(logLevel)'") }
    }

    /// The configuration from flags and environment, with logging set up and the signal
    /// handlers installed: what remains is to run the agent.
    public func prepare() throws -> AgentConfig {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = coordinator ?? env["GOPFARM_COORDINATOR"] else {
            throw ValidationError("give --coordinator tcp://HOST:PORT (or set GOPFARM_COORDINATOR)")
        }
        if let why = ZMQEndpoint.refusal(endpoint, option: "--coordinator", connecting: true) { throw ValidationError(why) }
        let security: AgentSecurity
        do {
            // An explicit --insecure wins over a key in the environment; with the option it is a conflict.
            security = try AgentSecurity.resolve(coordinatorKey: coordinatorKey ?? (insecure ? nil : env["GOPFARM_COORDINATOR_KEY"]),
                                                 keyFile: keyFile.url, insecure: insecure, warning: AgentCLI.warn)
        } catch {
            throw AgentCLI.fail(error.description, status: error.usage ? 64 : 1)
        }
        // A running agent outlives whoever read its first lines: a closed stdout drops them.
        Console.closedOutput = .discard
        LibavLogging.quiet()
        let json = jsonLogs, level = LogLevelName(rawValue: logLevel)?.level ?? .info
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, json: json)
            handler.logLevel = level
            return handler
        }
        AgentRuntime.installSignalHandlers()
        let agentName = name ?? env["GOPFARM_AGENT_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? AgentConfig.defaultName()
        if let why = AgentHello.nameRefusal(agentName) { throw ValidationError("--name: " + why) }
        return AgentConfig(
            coordinator: endpoint, security: security,
            name: agentName,
            slots: slots ?? env["GOPFARM_SLOTS"].flatMap(Int.init) ?? 1,
            threads: threads ?? env["GOPFARM_THREADS"].flatMap(Int.init) ?? 0,
            heartbeatMilliseconds: heartbeatMs, parentPID: parentPid, protocolVersion: protocolVersion,
            stopTimeoutSeconds: stopTimeout, prefetch: prefetch)
    }

    /// Exit status 0 when dismissed, stopped or orphaned; 2 when refused.
    public static func finish(_ exit: AgentRuntime.ExitReason) throws {
        switch exit {
        case .dismissed, .terminated, .parentGone:
            return
        case .refused(let reason):
            Console.error("gopfarm-agent: error: refused by the coordinator: \(reason)\n")
            throw ExitCode(2)
        }
    }
}
