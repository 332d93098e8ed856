import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// The job-level failure rules of the dispatcher, as plain sequences: what a failing segment
/// does to its job and the sentence the user reads, when a lease without progress is taken
/// back, and that a job never waits on agents that will not take it.
@Suite("Job runtime")
struct JobRuntimeTests {
    /// 100 frames at 25 fps, all key frames, starting at 10 s in the source: four 1-s segments of 25 frames.
    static func runtime() throws -> JobRuntime {
        var index = VideoPacketIndex()
        for f in 0..<100 {
            index.records.append(VideoPacketRecord(pts: Int64(250 + f), dts: Int64(250 + f), position: Int64(f * 100), size: 100,
                                                   randomAccess: .closed, discard: false, corrupt: false))
        }
        let plan = try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: Rational(1, 25))
        let job = DispatchJob(id: "j", plan: plan, settings: EncodeSettings(), frameRate: Rational(25, 1),
                              spool: URL(fileURLWithPath: "/nonexistent"), startSeconds: 10)
        return JobRuntime(job: job, sequence: 0, restored: [:])
    }

    /// Leases segment `n` to `agent` the way the dispatcher does.
    static func lease(_ job: JobRuntime, _ n: Int, to agent: String, now: Double) -> Int {
        let attempt = job.segments[n].assign(to: agent, now: now)
        job.markLeased(n)
        return attempt
    }

    @Test func aDecodeErrorEndsTheJobWithFrameNumbersAndATime() throws {
        let job = try Self.runtime()
        #expect(job.segments.count == 4)
        let attempt = Self.lease(job, 2, to: "key-a", now: 0)
        let outcome = job.segmentFailed(2, agentKey: "key-a", agentName: "local-1", attempt: attempt,
                                        message: "two decoded frames share or reverse a timestamp (87 after 87)", kind: .deterministic)
        #expect(outcome == .failJob("frames 51-75 cannot be decoded: the stream is damaged at 0:00:02.0 (two decoded frames share or reverse a timestamp (87 after 87))"))
    }

    /// One agent, a result that differs from the plan: one retry, then the job fails, never a wait.
    @Test func theSameWrongResultTwiceOnTheOnlyAgentEndsTheJob() throws {
        let job = try Self.runtime()
        let mismatch = "segment 1 has 13 frames from 25 to 37; the plan says 25 from 25 to 49"
        let first = Self.lease(job, 1, to: "k", now: 0)
        #expect(job.segmentFailed(1, agentKey: "k", agentName: "local-1", attempt: first, message: mismatch, kind: .mismatch) == .requeue)
        #expect(job.nextPending() == 1)
        let second = Self.lease(job, 1, to: "k", now: 1)
        #expect(job.segmentFailed(1, agentKey: "k", agentName: "local-1", attempt: second, message: mismatch, kind: .mismatch)
            == .failJob("frames 26-50 (from 0:00:01.0) do not decode as the plan counted them: " + mismatch))
    }

    @Test func aBadOptionIsSaidAsItIs() throws {
        let job = try Self.runtime()
        let attempt = Self.lease(job, 0, to: "k", now: 0)
        #expect(job.segmentFailed(0, agentKey: "k", agentName: "a", attempt: attempt, message: "crf must be 0-51", kind: .permanent)
            == .failJob("crf must be 0-51"))
    }

    /// The bug of issue 11: three failures blocklist the only agent while the segment allows
    /// five, and the job waited forever. Now the job fails, saying why.
    @Test func aJobFailsWhenEveryConnectedAgentIsBlocklisted() throws {
        let job = try Self.runtime()
        let agents = [JobRuntime.AgentView(name: "local-1", stuck: false, encoders: ["libx264"])]
        for i in 0..<JobRuntime.blocklistAfterFailures {
            #expect(job.whyNoAgentCanRun(connected: agents) == nil)
            let attempt = Self.lease(job, i, to: "k", now: 0)
            #expect(job.segmentFailed(i, agentKey: "k", agentName: "local-1", attempt: attempt, message: "encoder crashed \(i).",
                                      kind: .transient) == .requeue)
        }
        #expect(job.isBlocklisted("local-1"))
        #expect(job.whyNoAgentCanRun(connected: agents)
            == "no agent can run this job: local-1 failed 3 segments of this job each (the last: encoder crashed 2)")
        // Another agent that may still take it keeps the job alive; none connected is a wait.
        #expect(job.whyNoAgentCanRun(connected: agents + [.init(name: "remote-7", stuck: false, encoders: ["libx264"])]) == nil)
        #expect(job.whyNoAgentCanRun(connected: []) == nil)
        // A stuck agent is no help either.
        #expect(job.whyNoAgentCanRun(connected: agents + [.init(name: "remote-7", stuck: true, encoders: ["libx264"])])
            == "no agent can run this job: local-1 failed 3 segments of this job each (the last: encoder crashed 2), and remote-7 is stuck on work that made no progress")
    }

    /// QA: an agent built without the job's encoder was leased its segments, and its answer
    /// ("the encoder 'ffv1' is not available") failed the whole job though another agent had it.
    /// It takes none now; when no connected agent has the encoder the job fails, saying so.
    @Test func anAgentWithoutTheEncoderTakesNoSegment() throws {
        let job = try Self.runtime()
        #expect(job.canRun(with: ["libx264", "ffv1"]) && !job.canRun(with: ["libx265", "ffv1"]))
        #expect(job.canRun(with: [AgentHello.instantEncoder]))
        let lacking = JobRuntime.AgentView(name: "old-build", stuck: false, encoders: ["libvpx-vp9"])
        #expect(job.whyNoAgentCanRun(connected: [lacking, .init(name: "new-build", stuck: false, encoders: ["libx264"])]) == nil)
        #expect(job.whyNoAgentCanRun(connected: [lacking])
            == "no agent can run this job: old-build has no libx264 encoder (its FFmpeg was built without it)")
    }

    @Test func nothingPendingIsNothingToRun() throws {
        let job = try Self.runtime()
        for n in 0..<4 { _ = Self.lease(job, n, to: "k", now: 0) }
        #expect(!job.hasPending)
        #expect(job.whyNoAgentCanRun(connected: [.init(name: "a", stuck: true, encoders: ["libx264"])]) == nil)
    }

    /// No completed segment is needed to know the cost of a frame: running leases' progress is
    /// enough, and the stall bound grows with it (never below the floor).
    @Test func theStallBoundScalesWithTheMeasuredCostOfAFrame() throws {
        let job = try Self.runtime()
        var timing = DispatchTiming()
        timing.leaseSeconds = 30
        timing.stallFactor = 2
        #expect(job.secondsPerFrame == nil)
        #expect(job.stallSeconds(0, secondsPerFrame: nil, timing: timing) == 30)
        let attempt = Self.lease(job, 0, to: "k", now: 100)
        job.progress(0, agent: "k", attempt: attempt, frames: 5, now: 110)  // 2 s a frame
        #expect(job.secondsPerFrame == 2)
        // 25 frames × 2 s × 2 = 100 s.
        #expect(job.stallSeconds(1, secondsPerFrame: job.secondsPerFrame, timing: timing) == 100)
        #expect(job.stallSeconds(1, secondsPerFrame: 0.01, timing: timing) == 30)
    }

    /// An agent that heartbeats but reports no new frame loses its lease after the bound; the
    /// stall counts as a failure (so a segment stalling everywhere ends the job) and the segment
    /// is pending for another agent.
    @Test func aLeaseWithoutProgressIsTakenBack() throws {
        let job = try Self.runtime()
        var timing = DispatchTiming()
        timing.leaseSeconds = 3
        let attempt = Self.lease(job, 0, to: "fake", now: 0)
        for t in 1...3 { job.progress(0, agent: "fake", attempt: attempt, frames: 0, now: Double(t)) }
        #expect(job.stalledLeases(now: 3, timing: timing).isEmpty)
        let stalled = job.stalledLeases(now: 3.5, timing: timing)
        #expect(stalled.map(\.segment) == [0] && stalled.map(\.lease.agent) == ["fake"] && stalled.map(\.bound) == [3])
        #expect(job.segmentFailed(0, agentKey: "fake", agentName: "fake", attempt: attempt, message: JobRuntime.stallMessage,
                                  kind: .transient) == .requeue)
        #expect(job.nextPending() == 0)
        #expect(job.stalledLeases(now: 100, timing: timing).isEmpty)
        // The real agent that takes it over finishes it; progress keeps its lease.
        let second = Self.lease(job, 0, to: "real", now: 4)
        job.progress(0, agent: "real", attempt: second, frames: 10, now: 6)
        #expect(job.stalledLeases(now: 8, timing: timing).isEmpty)
        #expect(job.segments[0].decideResult(agent: "real", attempt: second) == .accept)
    }

    @Test func theSameStallOnTwoAgentsEndsTheJob() throws {
        let job = try Self.runtime()
        let a = Self.lease(job, 3, to: "ka", now: 0)
        #expect(job.segmentFailed(3, agentKey: "ka", agentName: "a", attempt: a, message: JobRuntime.stallMessage, kind: .transient) == .requeue)
        let b = Self.lease(job, 3, to: "kb", now: 40)
        #expect(job.segmentFailed(3, agentKey: "kb", agentName: "b", attempt: b, message: JobRuntime.stallMessage, kind: .transient)
            == .failJob("frames 76-100 (from 0:00:03.0) failed on 2 agents: no progress within the time allowed"))
    }

    /// The agent's error code decides how its failure counts; an agent without codes (older) or
    /// with a code this build does not know is retried as before.
    @Test func anAgentsFailureCodeDecidesItsKind() {
        func kind(_ code: String?, permanent: Bool = false) -> SegmentStateMachine.FailureKind {
            DispatchCore.kind(of: SegmentFailure(job: "j", segment: 0, attempt: 1, message: "m", permanent: permanent, code: code))
        }
        #expect(kind("decodeFailed") == .deterministic)
        #expect(kind("segmentMismatch") == .deterministic)
        #expect(kind("encodeFailed") == .transient)
        #expect(kind(nil) == .transient)
        #expect(kind("fromTheFuture") == .transient)
        #expect(kind("decodeFailed", permanent: true) == .permanent)
    }

    @Test func clockShowsHoursMinutesSecondsAndTenths() {
        #expect(JobRuntime.clock(8.46) == "0:00:08.4")
        #expect(JobRuntime.clock(3723.05) == "1:02:03.0")
        #expect(JobRuntime.clock(-1) == "0:00:00.0")
        #expect(JobRuntime.clock(.nan) == "0:00:00.0")
        #expect(JobRuntime.clock(1e300) == "8760:00:00.0")  // a broken timestamp: clamped, never a trap
    }
}
