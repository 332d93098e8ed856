import Foundation
import GopfarmCommon
import Logging

/// Slot threads: one per assignment, since libav calls block (never on Swift's cooperative
/// pool). A thread leaves its outcome in `slots.finished`; it never sends, and never asks for
/// more work itself (the loop does, unless the agent is stopping).
extension AgentRuntime {
    func start(_ assignment: SegmentAssignment, payload: Data) {
        let key = "\(assignment.job)/\(assignment.segment)/\(assignment.attempt)"
        let progress = ProgressCounter()
        slots.withLock { $0.active[key] = Active(assignment: assignment, progress: progress) }
        logger.info("segment assigned", metadata: ["job": "\(assignment.job)", "segment": "\(assignment.segment)",
                                                   "attempt": "\(assignment.attempt)", "bytes": "\(payload.count)"])
        // Test mode answers at once on the loop thread: no thread start, and no wait for the
        // loop's next poll timeout before the result goes out.
        if config.instant {
            let frames = process(assignment, payload: payload, progress: progress)
            slots.withLock {
                $0.active[key] = nil
                $0.finished.append(ResultOutbox.Entry(frames: frames, segment: assignment.segment))
            }
            return
        }
        let thread = Thread { [self] in
            let frames = self.process(assignment, payload: payload, progress: progress)
            self.slots.withLock {
                $0.active[key] = nil
                $0.finished.append(ResultOutbox.Entry(frames: frames, segment: assignment.segment))
            }
        }
        thread.name = "gopfarm-slot"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The result or failure message for one assignment.
    func process(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) -> [Data] {
        func failure(_ message: String, permanent: Bool, code: MediaError.Code? = nil) -> [Data] {
            logger.error("segment failed", metadata: ["segment": "\(assignment.segment)", "error": "\(message)"])
            return SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                  message: message, permanent: permanent, code: code?.rawValue).frames()
        }
        guard SHA256.hex(payload) == assignment.payloadSHA256 else {
            return failure("the segment payload arrived damaged (SHA-256 mismatch)", permanent: false)
        }
        do {
            let output = config.instant ? try InstantSegment(assignment: assignment).run(payload: payload)
                : try SegmentTranscoder(assignment: assignment, progress: progress).run(payload: payload)
            logger.info("segment done", metadata: [
                "segment": "\(assignment.segment)", "frames": "\(output.result.frames)",
                "seconds": "\(String(format: "%.2f", output.result.decodeSeconds + output.result.encodeSeconds))",
                "bytes": "\(output.payload.count)"])
            return output.result.frames(payloads: output.payloads)
        } catch {
            let permanent = [.invalidOption, .encoderNotFound, .unsupportedCodec].contains(error.code)
            // The code travels too: the coordinator ends the job at once on a decode or range
            // error, which every agent would hit the same way.
            return failure(error.description, permanent: permanent, code: error.code)
        }
    }
}
