import Foundation
import GopfarmCommon
import Logging

/// Slot threads: one per assignment, since libav calls block (never on Swift's cooperative
/// pool). A thread leaves its outcome in `slots.finished`; it never sends, and never asks for
/// more work itself (the core does, unless the agent is stopping).
extension AgentRuntime {
    func start(_ assignment: SegmentAssignment, payload: Data) {
        let key = AgentCore.SegmentKey(assignment)
        let progress = ProgressCounter()
        slots.withLock { $0.progress[key] = progress }
        logger.info("segment assigned", metadata: ["job": "\(assignment.job)", "segment": "\(assignment.segment)",
                                                   "attempt": "\(assignment.attempt)", "bytes": "\(payload.count)"])
        let finish: @Sendable (ResultOutbox.Outcome) -> Void = { [self] outcome in
            slots.withLock {
                $0.progress[key] = nil
                $0.finished.append((key, outcome))
            }
        }
        if worker.answersAtOnce {
            finish(process(assignment, payload: payload, progress: progress))
            return
        }
        let thread = Thread { [self] in finish(process(assignment, payload: payload, progress: progress)) }
        thread.name = "gopfarm-slot"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The result or failure for one assignment.
    func process(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) -> ResultOutbox.Outcome {
        func failure(_ message: String, permanent: Bool, code: MediaError.Code? = nil) -> ResultOutbox.Outcome {
            logger.error("segment failed", metadata: ["segment": "\(assignment.segment)", "error": "\(message)"])
            return .failure(SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                           message: message, permanent: permanent, code: code?.rawValue))
        }
        guard SHA256.hex(payload) == assignment.payloadSHA256 else {
            return failure("the segment payload arrived damaged (SHA-256 mismatch)", permanent: false)
        }
        do {
            let output = try worker.run(assignment, payload: payload, progress: progress)
            logger.info("segment done", metadata: [
                "segment": "\(assignment.segment)", "frames": "\(output.result.frames)",
                "seconds": "\(String(format: "%.2f", output.result.decodeSeconds + output.result.encodeSeconds))",
                "bytes": "\(output.payload.count)"])
            return .result(output.result, payloads: output.payloads)
        } catch where error.code == .cancelled {
            // Revoked while it ran: the core sends nothing of it (`AgentCore.segmentFinished`).
            logger.info("segment given up", metadata: ["segment": "\(assignment.segment)", "frames": "\(progress.current)"])
            return .failure(SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                           message: error.description, permanent: false, code: error.code.rawValue))
        } catch {
            let permanent = [.invalidOption, .encoderNotFound, .unsupportedCodec].contains(error.code)
            // The code travels too: the coordinator ends the job at once on a decode or range
            // error, which every agent would hit the same way.
            return failure(error.description, permanent: permanent, code: error.code)
        }
    }
}
