import Foundation

/// Threads of their own for the farm's blocking media work (probe and plan, stitch and
/// analysis), so none of it runs on Swift's cooperative pool. `count` threads take work from
/// one queue, in order. `PipelineService` starts them and stops them: `stop()` refuses new work,
/// drops what still waits (those jobs are in the store and resume on the next start) and waits,
/// without blocking a thread of the pool, until the work in hand is done.
///
/// `@unchecked Sendable`: every stored property is read and written only while `condition` is
/// locked, except `name` and `count`, which are constants.
final class JobWorkers: @unchecked Sendable {
    let name: String
    let count: Int
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var closed = false
    private var running = 0
    private var exited: CheckedContinuation<Void, Never>?

    init(name: String, count: Int) {
        self.name = name
        self.count = count
    }

    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard running == 0, !closed else { return }
        running = count
        for n in 1...count {
            let thread = Thread { [self] in loop() }
            thread.name = "\(name)-\(n)"
            thread.stackSize = 8 << 20  // libav and the planner recurse deeper than the 512 KiB default
            thread.start()
        }
    }

    /// Queues the work; false once stopped (the job waits in the store for the next start).
    @discardableResult
    func submit(_ work: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        queue.append(work)
        condition.signal()
        return true
    }

    func stop() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            condition.lock()
            closed = true
            queue.removeAll()
            condition.broadcast()
            if running == 0 { condition.unlock(); done.resume(); return }
            exited = done
            condition.unlock()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty, !closed { condition.wait() }
            if closed {
                running -= 1
                let last = running == 0 ? exited : nil
                if last != nil { exited = nil }
                condition.unlock()
                last?.resume()
                return
            }
            let work = queue.removeFirst()
            condition.unlock()
            work()
        }
    }

    /// Runs one blocking call (binding or stopping the dispatcher) on a thread of its own and
    /// awaits it, instead of blocking a thread of the cooperative pool.
    static func offPool<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = name
            thread.start()
        }
    }
}
