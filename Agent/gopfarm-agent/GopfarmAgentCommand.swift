import ArgumentParser
import Foundation
import GopfarmAgent
import GopfarmCommon
import Logging

/// `gopfarm-agent`: joins a coordinator and encodes the segments it hands out. Without a
/// subcommand it runs the agent (as it always did); `keys` manages its CURVE identity.
@main
struct GopfarmAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gopfarm-agent",
        abstract: "Join a gopfarm coordinator and encode the segments it hands out.",
        discussion: """
            Example: gopfarm-agent --coordinator tcp://render-01:5555 --coordinator-key KEY --slots 2 --threads 4 --name render-07
            First time on a machine: gopfarm-agent keys init, then on the coordinator: gopfarm agents allow KEY --name NAME.
            Environment: GOPFARM_COORDINATOR, GOPFARM_COORDINATOR_KEY, GOPFARM_AGENT_KEY_FILE, GOPFARM_AGENT_NAME,
            GOPFARM_SLOTS, GOPFARM_THREADS.
            SIGTERM or SIGINT: finish the segments in progress, deliver them, leave; a second signal leaves at once.
            Exit status: 0 when dismissed or stopped, 2 when refused by the coordinator, 64 usage error, 1 on errors.
            """,
        version: GopfarmVersion.string,
        subcommands: [KeysCommand.self])

    /// SIGPIPE off before anything is printed (help and usage errors included), so a closed
    /// pipe is an error `Console` handles instead of a signal.
    static func main() {
        Console.ignoreBrokenPipeSignal()
        main(nil)
    }

    @Option(help: "Coordinator endpoint (ZeroMQ), e.g. tcp://host:5555.")
    var coordinator: String?

    @Option(help: "The coordinator's public key, or a file holding it (`gopfarm keys show` on the coordinator).")
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

    @Option(help: ArgumentHelp("After SIGTERM, seconds to finish the segments in progress before handing them back.",
                               valueName: "seconds"))
    var stopTimeout: Double = 120

    @Option(help: .hidden)
    var parentPid: Int32?

    /// Tests only: claim another protocol version to check the coordinator refuses it.
    @Option(help: .hidden)
    var protocolVersion: Int = WireProtocol.version

    /// Benchmarks only: answer with the source packets of the range, without encoding.
    @Flag(help: .hidden)
    var instant = false

    /// Benchmarks only: with --instant, this many agents in one process (`InstantFleet`).
    @Option(help: .hidden)
    var fleet: Int?

    @Flag(help: "Log one JSON object per line.")
    var jsonLogs = false

    func validate() throws {
        if let slots, !(1...64).contains(slots) { throw ValidationError("--slots must be between 1 and 64") }
        if let threads, !(0...256).contains(threads) { throw ValidationError("--threads must be between 0 and 256") }
        if !(0...4).contains(prefetch) { throw ValidationError("--prefetch must be between 0 and 4") }
        if !(50...60_000).contains(heartbeatMs) { throw ValidationError("--heartbeat-ms must be between 50 and 60000") }
        if !(stopTimeout >= 0) { throw ValidationError("--stop-timeout must be 0 or more seconds") }
        if let fleet {
            guard instant else { throw ValidationError("--fleet needs --instant (it is a benchmark mode)") }
            guard (1...10_000).contains(fleet) else { throw ValidationError("--fleet must be between 1 and 10000") }
        }
    }

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = coordinator ?? env["GOPFARM_COORDINATOR"] else {
            throw ValidationError("give --coordinator tcp://HOST:PORT (or set GOPFARM_COORDINATOR)")
        }
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
        let json = jsonLogs
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, json: json)
            handler.logLevel = .info
            return handler
        }
        let config = AgentConfig(
            coordinator: endpoint, security: security,
            name: name ?? env["GOPFARM_AGENT_NAME"] ?? AgentConfig.defaultName(),
            slots: slots ?? env["GOPFARM_SLOTS"].flatMap(Int.init) ?? 1,
            threads: threads ?? env["GOPFARM_THREADS"].flatMap(Int.init) ?? 0,
            heartbeatMilliseconds: heartbeatMs, parentPID: parentPid, protocolVersion: protocolVersion,
            stopTimeoutSeconds: stopTimeout, instant: instant, prefetch: prefetch)
        AgentRuntime.installSignalHandlers()
        let logger = Logger(label: "gopfarm.agent.\(config.name)")
        let exit = if let fleet { try InstantFleet(config: config, size: fleet, logger: logger).run() }
            else { try AgentRuntime(config: config, logger: logger).run() }
        switch exit {
        case .dismissed, .terminated, .parentGone:
            return
        case .refused(let reason):
            Console.error("gopfarm-agent: refused by the coordinator: \(reason)\n")
            throw ExitCode(2)
        }
    }
}
