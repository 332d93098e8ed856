import Foundation

/// Turns ArgumentParser's message for a failed command line (`Error: …`, then `Help:` and
/// `Usage:` blocks) into the house style every gopfarm program uses for every error:
///
///     gopfarm: error: unknown option '--bogus'
///     hint: see 'gopfarm submit --help'
///
/// One error line, at most one hint line. Pure text in, text out: the executables feed it
/// `fullMessage(for:)` and exit with `exitCode(for:)`.
public enum UsageErrorText {
    /// The lines to print on stderr for `fullMessage` from `program` (`gopfarm`, `gopfarm-agent`).
    public static func lines(program: String, fullMessage: String) -> [String] {
        let raw = fullMessage.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var first = raw.first ?? "the command line is not valid"
        if first.hasPrefix("Error: ") { first.removeFirst("Error: ".count) }
        first = first.replacingOccurrences(of: ". Please provide one of ", with: "; use one of ")
        if first.hasSuffix(".") { first.removeLast() }
        var lines = ["\(program): error: \(sentence(first))"]
        if let see = raw.first(where: { $0.hasPrefix("See '") }), let end = see.dropFirst(5).firstIndex(of: "'") {
            lines.append("hint: see '\(see[see.index(see.startIndex, offsetBy: 5)..<end])'")
        }
        return lines
    }

    /// ArgumentParser's capitalised message as the lower-case clause the house style wants,
    /// keeping a name with capitals inside it (`URL`, `WebM`, `FFmpeg`) and a quoted name as they are.
    static func sentence(_ text: String) -> String {
        guard let first = text.first, first.isUppercase else { return text }
        let word = text.dropFirst().prefix { !$0.isWhitespace }
        if word.contains(where: \.isUppercase) { return text }
        return first.lowercased() + text.dropFirst()
    }
}
