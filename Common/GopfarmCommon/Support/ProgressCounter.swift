import Synchronization

/// A counter one thread writes and another reads (frames done of a segment, for heartbeats).
public final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    public init() {}
    public func store(_ n: Int) { value.store(n, ordering: .relaxed) }
    /// Adds `n` and returns the new total.
    @discardableResult public func add(_ n: Int) -> Int { value.add(n, ordering: .relaxed).newValue }
    public var current: Int { value.load(ordering: .relaxed) }
}
