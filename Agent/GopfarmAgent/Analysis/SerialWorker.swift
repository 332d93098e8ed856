import Foundation
import GopfarmCommon
import Synchronization

/// Runs blocking work in order on one background thread, at most `depth` items behind its
/// caller, so analysis and quality measurement use the cores the encoder leaves idle instead
/// of lengthening the segment. The first error is kept; later work is skipped, and `finish`
/// (which waits for everything submitted) throws it.
final class SerialWorker: Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let failure = Mutex<MediaError?>(nil)

    init(label: String, depth: Int = 16) {
        queue = DispatchQueue(label: label)
        slots = DispatchSemaphore(value: depth)
    }

    func submit(_ work: @escaping @Sendable () throws(MediaError) -> Void) {
        slots.wait()
        queue.async { [self] in
            defer { slots.signal() }
            guard failure.withLock({ $0 == nil }) else { return }
            do throws(MediaError) { try work() } catch { failure.withLock { $0 = $0 ?? error } }
        }
    }

    func finish() throws(MediaError) {
        queue.sync {}
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

/// Hands a libav object (a frame or packet reference made for this purpose) to a worker: the
/// caller never touches it again.
struct Handoff<T>: @unchecked Sendable {
    let value: T
}
