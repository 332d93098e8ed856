import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmCommon
import GopfarmCoordinator

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a job's content analysis as one self-contained HTML page (scenes, plots, timeline).",
        discussion: """
            From a job of gopfarm serve, or from the sidecar gopfarm transcode writes:
              gopfarm report 3f2a9c1e -o report.html
              gopfarm report movie.mp4.analysis.json -o report.html
            """)

    @Argument(help: "A job id, or an OUT.analysis.json file written by gopfarm transcode.", transform: NamedArgument.nonEmpty("a job id or an analysis file"))
    var job: String

    @Option(name: [.short, .long], help: "Where to write the page (default, or -: stdout).", transform: NamedArgument.nonEmpty("an output path"))
    var output: String?

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let html: Data
            let output = self.output == "-" ? nil : self.output
            if let output, let why = OutputPlace.refusal(output: output, input: job) { throw ClientError.file(why) }
            // A file on disk is an analysis record; anything else names a job of the coordinator.
            if job.hasSuffix(".json") || OutputPlace.kind(of: job) != .missing {
                let analysis: JobAnalysis
                do { analysis = try AnalysisFiles.read(URL(fileURLWithPath: job)) } catch {
                    throw ClientError.file("\(job): not an analysis file written by gopfarm (\(error.localizedDescription))")
                }
                let base = String(job.dropLast(".analysis.json".count))
                let thumbnails = job.hasSuffix(".analysis.json") ? URL(fileURLWithPath: base + ".thumbnails") : nil
                html = Data(ReportFiles.html(analysis, title: base, thumbnails: thumbnails).utf8)
            } else {
                html = try await client.makeClient().report(of: job)
            }
            if let output {
                do { try html.write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                    throw ClientError.file("cannot write \(output): \(OutputPlace.reason(error))")
                }
                Console.error("wrote \(output) (\(html.count / 1024) KiB)\n")
            } else {
                Console.out(html)
            }
        }
    }
}
