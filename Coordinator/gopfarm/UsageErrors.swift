import ArgumentParser
import GopfarmCommon

extension ParsableCommand {
    /// Ends the process for an error ArgumentParser raised or a command threw: help and
    /// `--version` print as ArgumentParser prints them; an `ExitCode` (the command already said
    /// why) exits quietly; anything else is `PROGRAM: error: …` plus at most one hint line.
    /// `command`: the subcommand that was running (its words), so that an error its `run` threw
    /// points at its own help.
    static func exit(inHouseStyle error: Error, program: String, command: [String]? = nil) -> Never {
        let code = exitCode(for: error)
        if code.isSuccess || error is ExitCode { exit(withError: error) }
        var lines = UsageErrorText.lines(program: program, fullMessage: fullMessage(for: error))
        if let command, !command.isEmpty, lines.count == 2, lines[1] == "hint: see '\(program) --help'" {
            lines[1] = "hint: see '\(([program] + command).joined(separator: " ")) --help'"
        }
        Console.error(lines.joined(separator: "\n") + "\n")
        Self.exit(withError: ExitCode(code.rawValue))
    }
}

/// Arguments that name something on the coordinator (a job, an agent, a webhook): an empty one
/// is a usage error here, not a request for `/v1/jobs/` that the server answers with a list.
enum NamedArgument {
    static func nonEmpty(_ what: String) -> @Sendable (String) throws -> String {
        { text in
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("give \(what), not an empty string") }
            return text
        }
    }
}
