import ArgumentParser
import Foundation
import GopfarmClient

struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a finished job's output (written as FILE.partial, renamed when complete).")

    @Argument(help: "Job id.")
    var id: String

    @Option(name: [.short, .long], help: "Where to write the output.")
    var output: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            try SubmitCommand.checkWritable(output)
            let bytes = try await client.makeClient().downloadOutput(of: id, to: output)
            CLIEnvironment.say("\(output): \(ClientFormat.bytes(bytes))")
        }
    }
}
