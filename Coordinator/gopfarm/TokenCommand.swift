import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmService

extension Role: ExpressibleByArgument {}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens (admin).",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token; it is printed alone on stdout, once.",
            discussion: "Roles: producer submits and sees its own jobs; ops also sees every job and manages agents; admin also manages tokens.")

        @Option(help: "What the token may do: producer, ops or admin.")
        var role: Role

        @Option(help: "Who or what the token is for (shown as the owner of its jobs).")
        var name: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let created = try await client.makeClient().createToken(TokenRequest(name: name, role: role))
                CLIEnvironment.say(created.token)
                ClientFormat.note("\(created.role.rawValue) token for '\(created.name)': shown only this once; keep it (e.g. GOPFARM_TOKEN or a config file)")
            }
        }
    }
}
