import ArgumentParser
import Foundation
import GopfarmClient

struct DrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Let an agent finish its segments and take no new ones (--undo: take work again).")

    @Argument(help: "Agent name, as gopfarm agents lists it.", transform: NamedArgument.nonEmpty("an agent name"))
    var name: String

    @Flag(help: "Resume the agent: it takes work again.")
    var undo = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let answer = try await client.makeClient().drain(name, undo: undo)
            if answer.connected == false {
                CLIEnvironment.say(answer.draining
                    ? "no agent named \(answer.agent) is connected now; it will take no work when it joins (gopfarm agents lists the connected ones)"
                    : "no agent named \(answer.agent) is connected now; it will take work when it joins")
            } else {
                CLIEnvironment.say(answer.draining
                    ? "agent \(answer.agent) is draining: it finishes its segments and takes no new ones"
                    : "agent \(answer.agent) takes work again")
            }
        }
    }
}
