import Foundation

/// Installs `handler` for SIGINT, SIGTERM and SIGHUP (the terminal closed, the ssh session
/// dropped: the same orderly stop, spool removed) and makes sure they are delivered: a process
/// inherits its parent's signal mask, and some launchers (test runners, supervisors) start
/// children with these signals blocked, which would make `kill -TERM` do nothing. A SIGHUP the
/// process was started ignoring (`nohup`) stays ignored.
public enum SignalHandling {
    public static func install(_ handler: @convention(c) (Int32) -> Void) {
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        let hangup = signal(SIGHUP, handler)
        if let hangup, unsafeBitCast(hangup, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(SIGHUP, SIG_IGN) }
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
