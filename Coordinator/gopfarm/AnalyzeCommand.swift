import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Logging

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find scenes, fades, black and frozen stretches and picture statistics on the farm, without encoding.",
        discussion: """
            Example: gopfarm analyze talk.mp4 --agents 2 --json > talk.analysis.json
                     gopfarm analyze talk.mp4 --save talk-analysis/   (analysis.json, scene thumbnails, report.html)
            Frames count from 0 in presentation order; intervals are half-open; times are seconds from the first frame.
            """)

    @Argument(help: "Input video file.")
    var input: String

    @OptionGroup var analysis: AnalysisOptions

    @Option(help: "Local agent processes to start (0: wait for remote agents). Default: cores, up to 8.")
    var agents: Int = TranscodeOptions.defaultAgents

    @Option(help: "Decoder threads per agent (default: cores / agents).")
    var threads: Int = 0

    @Option(help: "Target segment length in seconds (cut at the nearest key frame).")
    var segmentSeconds: Double = 10

    @Option(help: "Agent endpoint, e.g. tcp://0.0.0.0:5555 so agents on other machines can join.")
    var bind: String = "tcp://127.0.0.1:0"

    @Flag(help: "Allow plain-TCP agents on a non-loopback --bind (trusted networks only).")
    var insecure = false

    @Option(help: "Directory for analysis.json, scene thumbnails, contact-sheet.jpg and report.html.")
    var save: String?

    @Flag(help: "Print the records as JSON on stdout.")
    var json = false

    @Flag(help: "With --json: include the per-frame series (large for long inputs).")
    var series = false

    @Flag(name: [.short, .long], help: "Log what the coordinator does.")
    var verbose = false

    @Flag(help: "No progress output.")
    var quiet = false

    func validate() throws {
        let loopback = ["tcp://127.0.0.1:", "tcp://localhost:", "tcp://[::1]:", "ipc://"].contains { bind.hasPrefix($0) }
        if !loopback && !insecure {
            throw ValidationError("--bind \(bind) would accept plain-TCP agents from the network; add --insecure to allow it")
        }
    }

    func run() throws {
        CLIEnvironment.bootstrap(verbose: verbose)
        do {
            var options = AnalyzeJob.Options(input: input)
            options.analysis = analysis.settings
            options.analysis.quality = false
            options.agents = agents
            options.threads = threads
            options.segmentSeconds = segmentSeconds
            options.bind = bind
            options.saveDirectory = save
            var line = ProgressLine()
            line.quiet = quiet
            let remote = agents == 0 || !bind.contains("127.0.0.1")
            var result = try AnalyzeJob(options: options, logger: Logger(label: "gopfarm.coordinator")).run(listening: { endpoint in
                if remote && !quiet { FileHandle.standardError.write(Data("listening for agents on \(endpoint)\n".utf8)) }
            }, progress: { p, elapsed in line.update(p, elapsed: elapsed) })
            line.finish()
            if json {
                if !series { result.series = nil }
                try CLIEnvironment.printJSON(result)
            } else {
                CLIEnvironment.say(AnalysisSummaryText(result).text)
            }
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }
}
