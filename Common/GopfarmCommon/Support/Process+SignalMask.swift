import Foundation

extension Process {
    /// Starts the process with no signal blocked. Foundation starts a child with the signal mask
    /// of the calling thread, and the threads of Swift concurrency and Dispatch block nearly every
    /// signal: a child started from one could not be stopped with SIGTERM, and a shell in it
    /// waited for its background jobs for good (SIGCHLD blocked). The caller's thread has the
    /// empty mask only while the child is spawned.
    public func runWithSignalsDelivered() throws {
        var none = sigset_t()
        sigemptyset(&none)
        var saved = sigset_t()
        pthread_sigmask(SIG_SETMASK, &none, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try run()
    }
}
