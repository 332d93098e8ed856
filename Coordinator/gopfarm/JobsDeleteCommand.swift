import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmCommon

/// `gopfarm jobs delete ID`: a finished job's rows and files go (output, thumbnails, spool).
struct JobsDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a finished job: its record, output, report, thumbnails and spool (not while it runs: cancel it first).")

    @Argument(help: "The job's ID.", transform: NamedArgument.nonEmpty("a job id"))
    var id: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let deleted = try await client.makeClient().deleteJob(id)
            CLIEnvironment.say("deleted job \(deleted.job) (\(deleted.removedBytes) bytes freed)")
        }
    }
}
