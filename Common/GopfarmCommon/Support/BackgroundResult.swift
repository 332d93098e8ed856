import Foundation
import Synchronization

/// Work started on its own thread now, its result taken later: two steps of a job that read the
/// same inputs and write different files (the video's stitch and the analyses' merge) overlap
/// instead of running one after the other. `value()` waits for the work; call it before anything
/// the work reads goes away (a spool directory), on every path, errors included.
public final class BackgroundResult<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Mutex<(result: Result<Value, any Error>, seconds: Double)?>(nil)

    public init(label: String, _ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let started = MonotonicClock.now()
            let result = Result { try work() }
            outcome.withLock { $0 = (result: result, seconds: MonotonicClock.now() - started) }
            done.signal()
        }
        thread.name = label
        thread.start()
    }

    /// Waits for the work; its result and the seconds it ran. Later calls return the same at once.
    public func value() -> (result: Result<Value, any Error>, seconds: Double) {
        if let finished = outcome.withLock({ $0 }) { return finished }
        done.wait()
        done.signal()
        return outcome.withLock { $0! }
    }
}
