import GopfarmCommon
import Synchronization

/// The log lines of a one-shot command (the coordinator's warnings: a rejected segment result,
/// a restarted agent), held until the command ends: printed on stderr when it succeeds (they
/// explain a retry), dropped when it fails, because a failure is one sentence, the
/// `gopfarm: error:` line. `--verbose` prints the log as it happens instead.
final class HeldLog: Sendable {
    static let shared = HeldLog()

    /// Beyond this many lines only a count is kept (a job retrying forever must not grow memory).
    static let limit = 1000

    private let state = Mutex<(lines: [String], dropped: Int)>(([], 0))

    func hold(_ line: String) {
        state.withLock { s in
            if s.lines.count < Self.limit { s.lines.append(line) } else { s.dropped += 1 }
        }
    }

    /// Prints what was held, once.
    func release() {
        let (lines, dropped) = state.withLock { s in
            defer { s = ([], 0) }
            return (s.lines, s.dropped)
        }
        guard !lines.isEmpty else { return }
        var text = lines.joined(separator: "\n") + "\n"
        if dropped > 0 { text += "(\(dropped) more log lines not shown)\n" }
        Console.error(text)
    }

    func discard() {
        state.withLock { $0 = ([], 0) }
    }
}
