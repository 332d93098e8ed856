import ArgumentParser
import Foundation
import GopfarmClient
import GopfarmService

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a job: its segments are taken back from the agents and nothing is written.")

    @Argument(help: "Job id.", transform: NamedArgument.nonEmpty("a job id"))
    var id: String

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let job = try await client.makeClient().cancel(id)
            CLIEnvironment.say("job \(job.id): \(job.state.rawValue)")
        }
    }
}
