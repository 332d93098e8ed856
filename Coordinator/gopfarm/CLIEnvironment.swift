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
            if !verbose { h.sink = HeldLog.shared.hold }
            return h
        }
        SignalHandling.install { _ in transcodeCancelled.store(true, ordering: .relaxed) }
    }

    /// Prints a failure as one sentence and exits with the right status; the log lines held
    /// meanwhile (`HeldLog`) are dropped.
    static func fail(_ error: Error) -> ExitCode {
        HeldLog.shared.discard()
        if error is ExitCode { return error as! ExitCode }
        let text: String
        if let e = error as? MediaError { text = e.description } else { text = fileSystemSentence(error) ?? "\(error)" }
        // One line even when a library's message spans several.
        let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        Console.error("gopfarm: error: \(line)\n")
        if transcodeCancelled.load(ordering: .relaxed) { return ExitCode(130) }
        return ExitCode(1)
    }

    /// Foundation's file errors as "PATH: reason", not as `Error Domain=… UserInfo={…}`.
    static func fileSystemSentence(_ error: Error) -> String? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { "\($0): " } ?? "") + OutputPlace.reason(error)
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
