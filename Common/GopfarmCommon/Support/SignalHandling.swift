import Foundation

/// Installs `handler` for SIGINT and SIGTERM and makes sure they are delivered: a process
/// inherits its parent's signal mask, and some launchers (test runners, supervisors) start
/// children with these signals blocked, which would make `kill -TERM` do nothing.
public enum SignalHandling {
    public static func install(_ handler: @convention(c) (Int32) -> Void) {
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
