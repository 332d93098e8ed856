import GopfarmCommon

/// A segment's progress while it is encoded: the frames its encoders have put out, counted per
/// packet (over every output of a ladder, shared equally), so the heartbeats keep moving while an
/// encoder flushes its lookahead. Counting the frames handed in instead stood still through the
/// flush: x264 veryslow holds 60 frames, so a part that short was fed in a moment, then encoded
/// for many seconds "without progress", and the coordinator took the lease back.
final class EncodedProgress: Sendable {
    private let packets = ProgressCounter()
    private let outputs: Int
    private let progress: ProgressCounter

    init(outputs: Int, progress: ProgressCounter) {
        self.outputs = max(1, outputs)
        self.progress = progress
    }

    func packetOut() {
        progress.store(packets.add(1) / outputs)
        progress.worked()
    }

    /// The segment was revoked while it ran (`ProgressCounter.cancel`): give it up.
    var isCancelled: Bool { progress.isCancelled }
}
