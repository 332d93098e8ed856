import Foundation
import Synchronization

/// The one place the command-line programs write to stdout and stderr.
///
/// `FileHandle.write(_:)` traps on any error, so `gopfarm jobs | head -1` used to end in
/// SIGILL and a backtrace once `head` closed the pipe (SIGPIPE is ignored: the ZeroMQ and HTTP
/// sockets need EPIPE as an error, not a signal). Here a write is a plain `write(2)` loop:
/// - stdout whose reader is gone (EPIPE) ends the process quietly with status 0: whoever read
///   the output took what they wanted, and the command's work is done (commands print their
///   results after the work, never in the middle of it). Long-running servers choose `.discard`
///   instead, so a closed pipe never stops them.
/// - any other stdout error (a full disk behind `>`) is one sentence on stderr and status 1;
/// - stderr errors are dropped: there is nowhere left to say anything.
public enum Console {
    /// What a closed stdout does.
    public enum ClosedOutput: UInt8, Sendable {
        /// End the process at once with status 0, writing nothing more.
        case exit
        /// Drop the output and go on (for `serve` and agents).
        case discard
    }

    private static let closedOutputRule = Atomic<UInt8>(ClosedOutput.exit.rawValue)

    /// Set at start-up by commands that must outlive their stdout reader.
    public static var closedOutput: ClosedOutput {
        get { ClosedOutput(rawValue: closedOutputRule.load(ordering: .relaxed)) ?? .exit }
        set { closedOutputRule.store(newValue.rawValue, ordering: .relaxed) }
    }

    /// Makes a write to a closed pipe an EPIPE error instead of a fatal SIGPIPE, from the first
    /// instruction of `main` (ArgumentParser's help and usage errors are printed before any
    /// command installs its signal handlers).
    public static func ignoreBrokenPipeSignal() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes `text` to stdout as is.
    public static func out(_ text: String) {
        out(Data(text.utf8))
    }

    /// Writes `text` and a newline to stdout.
    public static func line(_ text: String) {
        out(Data((text + "\n").utf8))
    }

    /// Writes `data` to stdout.
    public static func out(_ data: Data) {
        guard let failure = write(data, to: STDOUT_FILENO) else { return }
        if failure == EPIPE {
            if closedOutput == .discard { return }
            // `_exit`, not `exit`: other threads may still be running (an HTTP client's event
            // loop), and atexit handlers racing them could crash on the way out.
            readerGone()
        }
        let program = CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "gopfarm"
        error("\(program): error: cannot write to standard output (\(String(cString: strerror(failure))))\n")
        _exit(1)
    }

    /// The reader of what the command writes (stdout, or a pipe it was given as its output) is
    /// gone: the command ends quietly with status 0, as a write to stdout does.
    public static func readerGone() -> Never {
        _exit(0)
    }

    /// Writes `text` to stderr as is; a failure is ignored.
    public static func error(_ text: String) {
        _ = write(Data(text.utf8), to: STDERR_FILENO)
    }

    /// Writes all of `data` to `fd`; nil when done, else the errno that stopped it.
    private static func write(_ data: Data, to fd: Int32) -> Int32? {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int32? in
            guard let base = raw.baseAddress else { return nil }
            var written = 0
            while written < raw.count {
                let n = Foundation.write(fd, base + written, raw.count - written)
                if n >= 0 {
                    written += n
                    continue
                }
                let e = errno
                switch e {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    // A non-blocking descriptor inherited from the parent: wait until it drains.
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 1000)
                default:
                    return e
                }
            }
            return nil
        }
    }
}
