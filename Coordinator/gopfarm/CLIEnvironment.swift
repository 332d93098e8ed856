import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Logging

/// Process-wide set-up shared by the subcommands.
enum CLIEnvironment {
    static func bootstrap(verbose: Bool, jsonLogs: Bool = false) {
        LibavLogging.quiet()
        LoggingSystem.bootstrap { label in
            var h = LineLogHandler(label: label, json: jsonLogs)
            h.logLevel = verbose ? .info : .warning
            return h
        }
        SignalHandling.install { _ in transcodeCancelled.store(true, ordering: .relaxed) }
    }

    /// Prints a failure as one sentence and exits with the right status.
    static func fail(_ error: Error) -> ExitCode {
        if error is ExitCode { return error as! ExitCode }
        let text: String
        if let e = error as? MediaError { text = e.description } else { text = "\(error)" }
        Console.error("gopfarm: error: \(text)\n")
        if transcodeCancelled.load(ordering: .relaxed) { return ExitCode(130) }
        return ExitCode(1)
    }

    /// Writes a line to stdout unbuffered, so it interleaves correctly with progress on stderr.
    static func say(_ text: String) {
        Console.line(text)
    }

    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        Console.out(data)
    }
}
