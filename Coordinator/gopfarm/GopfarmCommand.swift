import ArgumentParser
import GopfarmCommon

/// `gopfarm`: the coordinator and the producer/ops command line.
@main
struct GopfarmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gopfarm",
        abstract: "A distributed, frame-exact video transcoding farm.",
        discussion: """
            Exit status: 0 success, 1 the job failed (bad input, encoder error), 64 usage error (a bad flag or option value), 130 interrupted.
            """,
        version: GopfarmVersion.string,
        subcommands: [TranscodeCommand.self, AnalyzeCommand.self, ReportCommand.self, ProbeCommand.self, DemoCommand.self, ServeCommand.self, KeysCommand.self,
                      SubmitCommand.self, JobsCommand.self, StatusCommand.self, CancelCommand.self, FetchCommand.self,
                      AgentsCommand.self, DrainCommand.self, TokenCommand.self, WebhooksCommand.self, PresetsCommand.self, BenchCommand.self, SimulateCommand.self,
                      BDRateCommand.self])

    /// SIGPIPE off before anything is printed, help and usage errors included: a reader that
    /// closes the pipe early (`gopfarm jobs | head -1`) ends a command quietly (see `Console`).
    /// Usage errors, like every error, are `gopfarm: error: …` plus one hint line, exit 64.
    /// Memory freed in large blocks goes back to the system (`HeapTrim.returnLargeBlocks`).
    static func main() async {
        Console.ignoreBrokenPipeSignal()
        HeapTrim.returnLargeBlocks()
        var parsed: ParsableCommand.Type?
        // ArgumentParser answers `help NAME` for a NAME that is no command with the root help and
        // exit 0: here it is a usage error like any other unknown word.
        let words = CommandLine.arguments.dropFirst()
        if words.first == "help", let unknown = unknownCommand(in: words.dropFirst()) {
            exit(inHouseStyle: ValidationError("unknown command '\(unknown)'"), program: "gopfarm")
        }
        do {
            var command = try parseAsRoot(nil)
            parsed = type(of: command)
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            exit(inHouseStyle: error, program: "gopfarm", command: parsed.flatMap { commandPath(to: $0) })
        }
        HeldLog.shared.release()
    }

    /// The first of `words` (up to an option) that names no subcommand where it stands.
    static func unknownCommand(in words: ArraySlice<String>) -> String? {
        var parent: ParsableCommand.Type = GopfarmCommand.self
        for word in words.prefix(while: { !$0.hasPrefix("-") }) {
            guard let sub = parent.configuration.subcommands.first(where: { name(of: $0) == word })
            else { return word }
            parent = sub
        }
        return nil
    }

    /// The words that name `command` under `gopfarm` (`["jobs", "delete"]`), for the hint of an
    /// error a command's `run` throws (ArgumentParser would name only `gopfarm`).
    static func commandPath(to command: ParsableCommand.Type, from parent: ParsableCommand.Type = GopfarmCommand.self) -> [String]? {
        for sub in parent.configuration.subcommands {
            if sub == command { return [name(of: sub)] }
            if let rest = commandPath(to: command, from: sub) { return [name(of: sub)] + rest }
        }
        return nil
    }

    /// The word that names `command` on the command line.
    static func name(of command: ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }
}
