import ArgumentParser
import Foundation
import GopfarmAgent
import GopfarmAgentCLI
import GopfarmBenchAgent
import GopfarmCommon
import Logging

/// `gopfarm-bench-agent`: benchmarks and tests only. An agent (or, with `--fleet N`, N agents
/// in one process) that joins like `gopfarm-agent` and under the same protocol rules, but
/// answers every segment at once with its own source packets instead of encoding them.
@main
struct GopfarmBenchAgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gopfarm-bench-agent",
        abstract: "Benchmarks only: an agent that answers each segment with its source packets, without encoding.",
        discussion: """
            Passes the coordinator's checks only for all-intra sources and jobs without analysis.

            Example:
              gopfarm-bench-agent --coordinator tcp://127.0.0.1:5555 --insecure \\
                  --fleet 100 --name i
            """,
        version: GopfarmVersion.string)

    static func main() {
        Console.ignoreBrokenPipeSignal()
        mainInHouseStyle(program: "gopfarm-bench-agent")
    }

    @OptionGroup var options: AgentOptions

    @Option(help: ArgumentHelp("Run this many agents in one process, each with its own connection (named NAME-1…NAME-N).",
                               valueName: "n"))
    var fleet: Int?

    func validate() throws {
        if let fleet, !(1...10_000).contains(fleet) { throw ValidationError("--fleet must be between 1 and 10000") }
    }

    func run() throws {
        let config = try options.prepare()
        let logger = Logger(label: "gopfarm.bench-agent.\(config.name)")
        let exit = if let fleet { try InstantFleet(config: config, size: fleet, logger: logger).run() }
            else { try AgentRuntime(config: config, logger: logger, worker: InstantWorker()).run() }
        try AgentOptions.finish(exit)
    }
}
