import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon
import GopfarmService

extension Role: ExpressibleByArgument {}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens (admin; list: ops).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a token; it is printed alone on stdout, once.",
            discussion: "Roles: producer submits and sees its own jobs; ops also sees every job and manages agents; admin also manages tokens. Names are unique: jobs belong to the name.")

        @Option(help: "What the token may do: producer, ops or admin.")
        var role: Role

        @Option(help: "Who or what the token is for (shown as the owner of its jobs); unique.")
        var name: String

        @Option(parsing: .unconditional, help: "The token stops working after this long, e.g. 30d, 12h or 90m (default: never).")
        var expires: String?

        @OptionGroup var client: ClientOptions

        func validate() throws {
            if let expires {
                do {
                    let seconds = try DurationText.seconds(expires)
                    guard seconds >= 1 else { throw ValidationError("--expires must be at least 1 second") }
                } catch let error as DurationText.Invalid { throw ValidationError("--expires: \(error.description)") }
            }
        }

        func run() async throws {
            let seconds = try expires.map { Int(try DurationText.seconds($0).rounded()) }
            try await ClientRun.run { [self] in
                let created = try await client.makeClient().createToken(TokenRequest(name: name, role: role, expiresInSeconds: seconds))
                CLIEnvironment.say(created.token)
                let until = created.expiresAt.map { ", valid until \(ClientFormat.time($0))" } ?? ""
                ClientFormat.note("\(created.role.rawValue) token for '\(created.name)'\(until): shown only this once; keep it (e.g. GOPFARM_TOKEN or a config file)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tokens: name, role, state, dates (never the secret; ops).")

        @Flag(help: "Print the tokens as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let tokens = try await client.makeClient().tokens()
                if json { return try ClientFormat.printJSON(tokens) }
                var t = TextTable("NAME", "ROLE", "STATE", "CREATED", "EXPIRES", "LAST USED")
                for k in tokens {
                    t.add(k.name, k.role.rawValue, k.state.rawValue, ClientFormat.time(k.createdAt),
                          k.expiresAt.map(ClientFormat.time) ?? "never", k.lastUsedAt.map(ClientFormat.time) ?? "-")
                }
                Console.out(t.text)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a token by name: its next request gets 401 (admin).")

        @Argument(help: "The token's name.")
        var name: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                try await client.makeClient().revokeToken(name)
                CLIEnvironment.say("revoked the token '\(name)'")
            }
        }
    }
}
