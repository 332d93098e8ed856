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
            Frames count from 0 in presentation order; intervals are half-open; times are seconds from the first frame. --save DIR writes analysis.json, scene thumbnails and report.html into DIR.

            Examples:
              gopfarm analyze talk.mp4 --agents 2 --json > talk.analysis.json
              gopfarm analyze talk.mp4 --save talk-analysis/
            """)

    @Argument(help: "Input video file.")
    var input: String

    @OptionGroup(title: "Farm") var farm: FarmOptions

    @OptionGroup var analysis: AnalysisOptions

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

    func run() throws {
        CLIEnvironment.bootstrap(verbose: verbose)
        // A value that breaks a rule is a usage error (exit 64), as in transcode.
        var options = AnalyzeJob.Options(input: input)
        options.analysis = analysis.settings
        options.analysis.quality = false
        options.agents = farm.agents
        options.threads = farm.threads
        options.segmentSeconds = farm.segmentSeconds
        options.bind = farm.bind
        options.saveDirectory = save
        do { try options.validate() } catch { throw ValidationError(error.description) }
        var line = ProgressLine()
        line.quiet = quiet
        do {
            let remote = farm.expectsRemoteAgents
            var result = try AnalyzeJob(options: options, logger: Logger(label: "gopfarm.coordinator")).run(listening: { endpoint in
                if remote && !quiet { Console.error("listening for agents on \(endpoint)\n") }
            }, progress: { p, elapsed in line.update(p, elapsed: elapsed) })
            line.finish()
            HeldLog.shared.release()
            if json {
                if !series { result.series = nil }
                try CLIEnvironment.printJSON(result)
            } else {
                CLIEnvironment.say(AnalysisSummaryText(result).text)
            }
        } catch {
            line.finish()
            throw CLIEnvironment.fail(error)
        }
    }
}
