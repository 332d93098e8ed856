import Synchronization

/// A counter one thread writes and another reads (frames done of a segment, for heartbeats),
/// and the other way, a stop request (the coordinator no longer wants the segment).
public final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    private let stop = Atomic<Bool>(false)
    private let work = Atomic<Int>(0)
    public init() {}
    /// Asks the thread doing the work to give it up at its next frame.
    public func cancel() { stop.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { stop.load(ordering: .relaxed) }
    public func store(_ n: Int) { value.store(n, ordering: .relaxed) }
    /// Adds `n` and returns the new total.
    @discardableResult public func add(_ n: Int) -> Int { value.add(n, ordering: .relaxed).newValue }
    public var current: Int { value.load(ordering: .relaxed) }
    /// Any step of the work (a frame in, a packet out): it moves whenever the work does, while
    /// `current` (frames done) stands still as an encoder fills its lookahead or flushes it.
    public func worked() { work.add(1, ordering: .relaxed) }
    public var activity: Int { work.load(ordering: .relaxed) }
}
