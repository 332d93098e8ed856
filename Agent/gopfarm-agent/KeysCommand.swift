import ArgumentParser

/// `gopfarm-agent keys`: this agent's CURVE identity, which ops allow on the coordinator.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make or show this agent's CURVE key pair.",
        subcommands: [KeysInitCommand.self, KeysShowCommand.self])
}
