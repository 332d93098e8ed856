import Foundation
import GopfarmCommon

/// Everything that can happen to the dispatcher, as `DispatchCore` takes it: a message from an
/// agent (decoded by the shell), a command from the rest of the coordinator, or the passing of
/// time (`tick`). Time itself comes with each call, as a value.
enum DispatchInput {
    /// A message on the agent socket. `version` is the frame's protocol version.
    case agent(identity: Data, publicKey: String?, version: Int, AgentInput)
    /// A job to run; `restored` segments are done already (coordinator restart). `openError`:
    /// the shell could not open the input to cut segments from, so the job fails at once.
    case addJob(DispatchJob, restored: [Int: CompletedSegment], openError: String?)
    case cancel(job: String)
    /// A restarted coordinator resumes these jobs: until each is added again (or its resume
    /// ended otherwise), agents wait with their hello, so the results they finished while it
    /// was down arrive when their job is known, not before (when they were refused).
    case resuming(jobs: Set<String>)
    /// The service is done resuming this job (added, failed or cancelled on the way).
    case resumeEnded(job: String)
    /// The shell could not cut a segment out of the job's input: the job fails with `reason`.
    case extractionFailed(job: String, reason: String)
    /// A drained agent finishes its segments and gets no new ones (`false` undoes it).
    case drain(agent: String, on: Bool)
    /// Ops revoked this agent public key: agents using it are told goodbye and dropped at once
    /// (their leases go back to the queue), and whatever comes from it later is refused.
    case revokeKey(String)
    /// Ops allowed this key (again): it may say hello.
    case allowKey(String)
    /// A send to this agent failed: it is gone.
    case unreachable(identity: Data)
    /// Time passed: leases are checked, free slots filled.
    case tick
}

/// A message from an agent, or why it could not be read.
enum AgentInput {
    case message(AgentMessage)
    case malformed(type: String, reason: String)
}

enum AgentMessage {
    /// Nil: a hello that does not decode or breaks the limits.
    case hello(AgentHello?)
    case request(slots: Int)
    case heartbeat(AgentHeartbeat)
    /// `check` is what the shell found when it validated and spooled the payload, done only
    /// when `DispatchCore.wantsResult` said the result would be taken; `receivedAt` is wall time.
    case result(SegmentResult, check: ResultCheck, receivedAt: Date)
    case failure(SegmentFailure)
    case goodbye
    /// A part of a large message still arriving: the agent is there, nothing else to do.
    case part
}

/// The shell's validation of a result against its hashes and the plan (`ResultValidator`).
enum ResultCheck {
    case spooled(URL)
    case invalid(SegmentStateMachine.FailureKind, String)
    /// The result is sound but the coordinator could not store it (its disk): the job fails.
    case spoolFailed(String)
    /// The core did not want the result (already done, never leased): it was not looked at.
    case notChecked
}

/// What the shell does for the core: send, cut and send a segment, persist, publish an outcome.
enum DispatchAction {
    case send(Data, AgentReply)
    /// Cut the segment out of the input, fill in the payload's SHA-256, send it, and record
    /// `.assigned` with the cut's seconds and bytes (or report `extractionFailed`/`unreachable`).
    case assign(Data, SegmentAssignment, agent: String, speculative: Bool)
    case record(DispatchEvent)
    /// The job ended; the core has forgotten it.
    case finished(job: String, DispatchOutcome)
}

enum AgentReply {
    case welcome(AgentWelcome)
    case heartbeatAck
    case goodbye(String)
    case revoke(SegmentRevoke)
    /// A part of a large message arrived: the agent, which hears nothing else while its
    /// heartbeats wait behind the rest of its result, knows the coordinator is there.
    case partReceived
}
