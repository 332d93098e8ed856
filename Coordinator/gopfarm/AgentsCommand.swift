import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService

struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List connected agents, and manage the keys agents may join with (ops).",
        subcommands: [List.self, Allow.self, Keys.self, Revoke.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List connected agents (the default).")

        @Flag(help: "Print the agents as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let agents = try await client.makeClient().agents().sorted { $0.name < $1.name }
                if json { return try ClientFormat.printJSON(agents) }
                Console.out(Self.table(agents))
            }
        }

        static func table(_ agents: [AgentStatus]) -> String {
            var t = TextTable("NAME", "STATE", "SLOTS", "DONE", "FPS", "LAST HEARTBEAT", "VERSION", rightAligned: [2, 3, 4, 5])
            for a in agents {
                t.add(a.name, a.state.rawValue, "\(a.busy)/\(a.slots)", "\(a.segmentsDone)",
                      String(format: "%.1f", a.framesPerSecond), String(format: "%.1f s ago", a.lastHeartbeatSecondsAgo), a.version)
            }
            return t.text
        }
    }

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allow",
            abstract: "Allow an agent's CURVE public key to join (gopfarm-agent prints it).")

        @Argument(help: "The agent's public key (Z85, 40 characters).")
        var key: String

        @Option(help: "A name to remember the agent by.")
        var name: String?

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let view = try await client.makeClient().allowAgentKey(AgentKeyRequest(publicKey: key, name: name))
                CLIEnvironment.say("allowed \(view.publicKey)\(view.name.map { " (\($0))" } ?? "")")
            }
        }
    }

    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keys",
            abstract: "List the agent keys allowed to join.")

        @Flag(help: "Print the keys as JSON on stdout.")
        var json = false

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                let keys = try await client.makeClient().agentKeys()
                if json { return try ClientFormat.printJSON(keys) }
                var t = TextTable("KEY", "NAME")
                for k in keys { t.add(k.publicKey, k.name ?? "-") }
                Console.out(t.text)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Stop allowing an agent key (agents using it can no longer join).")

        @Argument(help: "The agent's public key.")
        var key: String

        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await ClientRun.run { [self] in
                try await client.makeClient().revokeAgentKey(key)
                CLIEnvironment.say("revoked \(key)")
            }
        }
    }
}
