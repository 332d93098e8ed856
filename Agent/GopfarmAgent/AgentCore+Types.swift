import Foundation
import GopfarmCommon

extension AgentCore {
    /// The rules' numbers, fixed for an agent's life.
    public struct Settings: Sendable, Equatable {
        public var slots: Int
        /// Segments taken beyond the slots and held queued (0…4).
        public var prefetch: Int
        public var heartbeatSeconds: Double
        /// No message for this long while welcomed: the coordinator is gone, say hello again.
        public var silenceSeconds: Double
        /// After the first stop signal, how long to finish what runs before leaving anyway.
        public var stopTimeoutSeconds: Double
        /// Ask for the slot a result frees in the result itself (`requestSlots`) instead of a
        /// separate request: one message less per segment, for benchmark fleets.
        public var creditWithResult: Bool

        public init(slots: Int, prefetch: Int, heartbeatSeconds: Double, silenceSeconds: Double? = nil,
                    stopTimeoutSeconds: Double = 120, creditWithResult: Bool = false) {
            self.slots = slots
            self.prefetch = prefetch
            self.heartbeatSeconds = heartbeatSeconds
            self.silenceSeconds = silenceSeconds ?? max(5 * heartbeatSeconds, 3)
            self.stopTimeoutSeconds = stopTimeoutSeconds
            self.creditWithResult = creditWithResult
        }
    }

    /// Why an agent's run ended; the executable maps it to an exit status.
    public enum ExitReason: Sendable, Equatable {
        case dismissed(String)
        case refused(String)
        case terminated
        case parentGone
    }

    /// A message from the coordinator, decoded by the shell.
    public enum Incoming: Sendable, Equatable {
        case welcome(AgentWelcome)
        case assignment(SegmentAssignment, payload: Data)
        case goodbye(AgentGoodbye)
        case revoke(SegmentRevoke)
        case heartbeatAck
        /// Unknown or malformed: it proves only that the coordinator is there.
        case other
        /// A part of a larger message (a segment's input) still arriving: the coordinator's next
        /// messages wait behind the rest of it, so silence gets longer (see `tick`).
        case part
    }

    /// One segment as both sides name it.
    public struct SegmentKey: Hashable, Sendable {
        public var job: String
        public var segment: Int
        public var attempt: Int

        public init(job: String, segment: Int, attempt: Int) {
            (self.job, self.segment, self.attempt) = (job, segment, attempt)
        }

        public init(_ assignment: SegmentAssignment) {
            self.init(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt)
        }
    }

    /// What the shell must do, in order.
    public enum Action: Sendable, Equatable {
        /// Replace the link with a fresh one (its queue of unread messages goes with it).
        case reconnect
        case sendHello
        case sendCredit(Int)
        /// Frames of running segments are 0 here; the shell fills in its progress counters.
        /// Tell `heartbeatSent()` when the link took it.
        case sendHeartbeat(AgentHeartbeat)
        /// Tell `resultSent(accepted:)` whether the link took it.
        case sendResult(ResultOutbox.Entry)
        case startSegment(SegmentAssignment, payload: Data)
        /// Give up a running segment (the coordinator revoked it: its job was cancelled or
        /// ended); the slot finishes it with `MediaError.Code.cancelled`.
        case abortSegment(SegmentKey)
        /// Send a goodbye with this reason, let it go out, and end with `.terminated`.
        case leave(String)
        case exit(ExitReason)
        case note(Note)
    }

    /// Why a stopping agent leaves before its results are proven read.
    public enum StopWhy: Sendable, Equatable {
        case secondSignal
        case stopTimeout
        /// Nothing runs, and the coordinator has not answered for twice the silence limit: it
        /// is gone (stopped, or its machine is), and runs again what it never read.
        case coordinatorSilent(seconds: Int)
    }

    /// Things worth a log line; the shell words them.
    public enum Note: Sendable, Equatable {
        case silent(seconds: Int)
        case connected(again: Bool, running: Int, results: Int)
        case queued(segment: Int, queued: Int)
        /// `dropped`: it was queued and is dropped; else it runs and is given up.
        case revoked(segment: Int, dropped: Bool)
        /// Granted before the stop; the goodbye hands it back.
        case notStarting(segment: Int)
        case stopping(running: Int, results: Int, handedBack: Int)
        case stopped
        case stoppingNow(running: Int, results: Int, why: StopWhy)
        case dismissed(String)
        /// Refused for now (its name is held by an agent that may be gone); hello again soon.
        case refusedForNow(String, retryInSeconds: Double)
        /// The coordinator asked it to wait (it is resuming its jobs); hello again until welcomed.
        case waiting(String)
    }
}
