import ArgumentParser
import GopfarmCommon

extension ParsableCommand {
    /// Parses and runs the command line like ArgumentParser's `main`, but every error, usage
    /// errors too, is `PROGRAM: error: …` plus at most one hint line (exit 64 for usage);
    /// help and `--version` print as ArgumentParser prints them.
    public static func mainInHouseStyle(program: String) {
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code.isSuccess || error is ExitCode { exit(withError: error) }
            Console.error(UsageErrorText.lines(program: program, fullMessage: fullMessage(for: error)).joined(separator: "\n") + "\n")
            exit(withError: ExitCode(code.rawValue))
        }
    }
}
