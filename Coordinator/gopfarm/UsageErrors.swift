import ArgumentParser
import GopfarmCommon

extension ParsableCommand {
    /// Ends the process for an error ArgumentParser raised or a command threw: help and
    /// `--version` print as ArgumentParser prints them; an `ExitCode` (the command already said
    /// why) exits quietly; anything else is `PROGRAM: error: …` plus at most one hint line.
    static func exit(inHouseStyle error: Error, program: String) -> Never {
        let code = exitCode(for: error)
        if code.isSuccess || error is ExitCode { exit(withError: error) }
        Console.error(UsageErrorText.lines(program: program, fullMessage: fullMessage(for: error)).joined(separator: "\n") + "\n")
        Self.exit(withError: ExitCode(code.rawValue))
    }
}
