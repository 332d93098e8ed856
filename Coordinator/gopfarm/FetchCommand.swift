import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmCommon

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a finished job's output (written as FILE.partial, renamed when complete); a ladder job's whole directory.")

    @Argument(help: "Job id.")
    var id: String

    @Option(name: [.short, .long], help: "Where to write the output.")
    var output: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            try SubmitCommand.checkWritable(output)
            let api = try client.makeClient()
            let job = try await api.job(id)
            if job.ladder != nil { try JobRules.checkOutputDirectory(output) }
            let bytes = try await SubmitCommand.download(job, api: api, to: output)
            CLIEnvironment.say("\(output): \(ClientFormat.bytes(bytes))")
        }
    }
}
