import ArgumentParser
import Foundation
import GopfarmAgent
import GopfarmAgentCLI
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
            First time on a machine: gopfarm-agent keys init, then on the coordinator: gopfarm agents allow KEY --name NAME.
            SIGTERM or SIGINT: finish the segments in progress, deliver them, leave; a second signal leaves at once.
            Environment: GOPFARM_COORDINATOR, GOPFARM_COORDINATOR_KEY, GOPFARM_AGENT_KEY_FILE, GOPFARM_AGENT_NAME, GOPFARM_SLOTS, GOPFARM_THREADS.
            A segment over 4 MiB (an input, an output not yet delivered) waits in a file without a name in TMPDIR (default /tmp), not in memory.
            Exit status: 0 when dismissed or stopped, 2 when refused by the coordinator, 64 usage error, 1 on errors.

            Example:
              gopfarm-agent --coordinator tcp://render-01:5555 --coordinator-key KEY \\
                  --slots 2 --threads 4 --name render-07
            """,
        version: GopfarmVersion.string,
        subcommands: [KeysCommand.self])

    /// SIGPIPE off before anything is printed (help and usage errors included), so a closed
    /// pipe is an error `Console` handles instead of a signal.
    static func main() {
        Console.ignoreBrokenPipeSignal()
        mainInHouseStyle(program: "gopfarm-agent")
    }

    @OptionGroup var options: AgentOptions

    func run() throws {
        let config = try options.prepare()
        let logger = Logger(label: "gopfarm.agent.\(config.name)")
        try AgentOptions.finish(try AgentRuntime(config: config, logger: logger).run())
    }
}
