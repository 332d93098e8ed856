import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Logging
import Testing

/// The dispatcher's decisions as plain sequences: events in (with the time as a value), the
/// actions expected out. No socket, thread or clock.
@Suite("Dispatch core")
struct DispatchCoreTests {
    struct Farm {
        var core: DispatchCore
        var now = 0.0

        init(timing: DispatchTiming = DispatchTiming()) {
            core = DispatchCore(timing: timing, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }

        static func id(_ n: Int) -> Data { Data([0xA0, UInt8(n)]) }

        @discardableResult
        mutating func on(_ input: DispatchInput, at time: Double? = nil) -> [DispatchAction] {
            if let time { now = time }
            return core.handle(input, now: now)
        }

        @discardableResult
        mutating func from(_ agent: Int, _ message: AgentMessage, version: Int = WireProtocol.version, key: String? = nil) -> [DispatchAction] {
            on(.agent(identity: Self.id(agent), publicKey: key, version: version, .message(message)))
        }

        @discardableResult
        mutating func join(_ agent: Int, slots: Int = 1, prefetch: Int = 0, key: String? = nil, credit: Bool = true) -> [DispatchAction] {
            let hello = AgentHello(name: "a\(agent)", slots: slots, threads: 1, cores: 1, agentVersion: "t", encoders: EncodeSettings.supportedCodecs, pid: 1, prefetch: prefetch)
            var actions = from(agent, .hello(hello), key: key)
            if credit { actions += from(agent, .request(slots: slots + prefetch), key: key) }
            return actions
        }

        mutating func add(_ id: String = "j", segments: Int = 4, maxAgents: Int? = nil) {
            let job = SimulationSpec.Job(id: id, segments: Array(repeating: SimulationSpec.Segment(frames: 10, seconds: 1, sentBytes: 1, returnedBytes: 1), count: segments),
                                         maxAgents: maxAgents)
            on(.addJob(DispatchSimulation.dispatchJob(job), restored: [:], openError: nil))
        }

        /// The (agent, job, segment, attempt) of every assignment among the actions.
        static func assigned(_ actions: [DispatchAction]) -> [(agent: Data, segment: Int, attempt: Int)] {
            actions.compactMap { if case .assign(let who, let a, _, _) = $0 { (who, a.segment, a.attempt) } else { nil } }
        }

        @discardableResult
        mutating func result(_ agent: Int, segment: Int, attempt: Int, job: String = "j", check: ResultCheck? = nil, key: String? = nil) -> [DispatchAction] {
            let r = SegmentResult(job: job, segment: segment, attempt: attempt, frames: 10, firstPTS: 0, lastPTS: 9, reorderDepth: 0,
                                  corruptFrames: [], payloadSHA256: "", payloadBytes: 1, decodeSeconds: 0, encodeSeconds: 1, requestSlots: 1)
            let wanted = core.wantsResult(r, from: Self.id(agent))
            let c = check ?? (wanted ? .spooled(URL(fileURLWithPath: "/spool/\(segment)")) : .notChecked)
            return from(agent, .result(r, check: wanted ? c : .notChecked, receivedAt: Date()), key: key)
        }

        /// A farm of one agent (timeout far away) holding segment 0 of a one-segment job, leases
        /// bound by `leaseSeconds`; returns it and the lease's attempt.
        static func oneLease(leaseSeconds: Double) -> (Farm, attempt: Int) {
            var timing = DispatchTiming()
            timing.leaseSeconds = leaseSeconds
            timing.agentTimeoutSeconds = 1000
            var farm = Farm(timing: timing)
            farm.add(segments: 1)
            farm.join(1)
            let attempt = Farm.assigned(farm.on(.tick))[0].attempt
            return (farm, attempt)
        }

        @discardableResult
        mutating func beat(_ agent: Int, _ heartbeat: AgentHeartbeat, at time: Double) -> [DispatchAction] {
            on(.agent(identity: Self.id(agent), publicKey: nil, version: WireProtocol.version, .message(.heartbeat(heartbeat))), at: time)
        }

        func outcome(_ actions: [DispatchAction]) -> DispatchOutcome? {
            actions.lazy.compactMap { if case .finished(_, let o) = $0 { o } else { nil } }.first
        }
    }

    static func replies(_ actions: [DispatchAction], to agent: Int) -> [AgentReply] {
        actions.compactMap { if case .send(let who, let r) = $0, who == Farm.id(agent) { r } else { nil } }
    }

    @Test func aHelloIsWelcomedAndRecorded() {
        var farm = Farm()
        let actions = farm.join(1, credit: false)
        guard case .welcome(let w)? = Self.replies(actions, to: 1).first else { Issue.record("no welcome: \(actions)"); return }
        #expect(w.accepted)
        #expect(actions.contains { if case .record(.agentJoined(let s)) = $0 { s.name == "a1" } else { false } })
        #expect(farm.core.snapshot(now: 0).agents.map(\.name) == ["a1"])
    }

    @Test func anotherProtocolVersionIsRefusedWithASentence() {
        var farm = Farm()
        let hello = AgentHello(name: "old", slots: 1, threads: 1, cores: 1, agentVersion: "t", encoders: [], pid: 1)
        let actions = farm.from(1, .hello(hello), version: 99)
        guard case .welcome(let w)? = Self.replies(actions, to: 1).first else { Issue.record("no answer"); return }
        #expect(!w.accepted)
        #expect(w.reason?.contains("protocol version 99 is not supported") == true)
        #expect(farm.core.counters.refusedAgents == 1)
        #expect(farm.core.agents.isEmpty)
    }

    /// A stale rebuild left agents saying hello in this version and everything after in the
    /// previous one: each message was rejected, the agent kept, and its job waited for ever.
    @Test func anotherVersionAfterTheHelloDismissesTheAgent() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1)
        let a = Farm.assigned(farm.on(.tick))[0]
        let actions = farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [])), version: WireProtocol.version - 1)
        guard case .goodbye(let reason)? = Self.replies(actions, to: 1).first else { Issue.record("not dismissed: \(actions)"); return }
        #expect(reason.contains("protocol version \(WireProtocol.version - 1) is not supported"))
        #expect(farm.core.agents.isEmpty)
        #expect(actions.contains { if case .record(.requeued(_, let segment, _)) = $0 { segment == a.segment } else { false } }, "\(actions)")
        #expect(farm.core.counters.rejectedMessages == 1)
    }

    /// A hello that decodes but breaks a rule is answered with the rule, not dropped: the agent
    /// waited in silence, and serve's log said only "malformed".
    @Test func aMalformedHelloIsRefusedWithTheRule() {
        for (hello, reason) in [(AgentHello(name: "a\u{1B}[31m", slots: 1, threads: 1, cores: 1, agentVersion: "t", encoders: [], pid: 1), "an agent's name is 1 to 200 characters"),
                                (AgentHello(name: "big", slots: -5, threads: 1, cores: 1, agentVersion: "t", encoders: [], pid: 1), "an agent has 1 to 64 slots, not -5")] {
            var farm = Farm()
            let actions = farm.from(1, .hello(hello))
            guard case .welcome(let w)? = Self.replies(actions, to: 1).first else { Issue.record("no answer to \(hello)"); continue }
            #expect(!w.accepted && (w.reason ?? "").hasPrefix(reason), "\(w)")
            #expect(farm.core.counters.refusedAgents == 1 && farm.core.agents.isEmpty)
        }
    }

    /// One name, one agent: a newcomer with a name another key holds is told to try again while
    /// the holder counts as connected (heard from within the agent timeout, whatever its own
    /// heartbeat); once the holder has been quiet that long, the newcomer takes the name and the
    /// holder's leases go back to the queue.
    @Test func aNameHeldByALiveAgentIsRefusedForNowAndFreedWhenItGoesQuiet() {
        var timing = DispatchTiming()
        timing.agentTimeoutSeconds = 4
        var farm = Farm(timing: timing)
        farm.add(segments: 2)
        func hello(_ pid: Int32) -> AgentMessage {
            .hello(AgentHello(name: "box", slots: 1, threads: 1, cores: 1, agentVersion: "t", encoders: EncodeSettings.supportedCodecs, pid: pid))
        }
        farm.from(1, hello(10))
        farm.from(1, .request(slots: 1))
        #expect(Farm.assigned(farm.on(.tick)).map(\.segment) == [0])
        farm.now = 1
        farm.from(1, .heartbeat(AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: 1, frames: 3)])))
        // 3.5 s after its last heartbeat (an agent beating every 5 s is still alive): refused,
        // to try again when the 4 s would run out.
        farm.now = 4.5
        let refused = farm.from(2, hello(20))
        guard case .welcome(let w)? = Self.replies(refused, to: 2).first else { Issue.record("no answer: \(refused)"); return }
        #expect(!w.accepted && w.retryAfterMilliseconds == 600)
        #expect(w.reason == "the name 'box' is taken by a connected agent (pid 10); give each agent its own --name")
        #expect(farm.core.snapshot(now: farm.now).agents.count == 1)

        // Agent 1 was killed after its heartbeat at 1 s: at 5.1 s its name is free.
        farm.now = 5.1
        let taken = farm.from(2, hello(20))
        guard case .welcome(let ok)? = Self.replies(taken, to: 2).first else { Issue.record("no answer: \(taken)"); return }
        #expect(ok.accepted)
        #expect(taken.contains { if case .record(.agentLeft(let name, let reason)) = $0 { name == "box" && reason.contains("replaced by a new agent of the same name") } else { false } })
        #expect(farm.core.snapshot(now: farm.now).agents.count == 1)
        farm.from(2, .request(slots: 1))
        #expect(Farm.assigned(farm.on(.tick)).map(\.segment) == [0], "the holder's segment runs again on the newcomer")
    }

    @Test func aStrangerIsToldItIsUnknown() {
        var farm = Farm()
        let actions = farm.from(7, .request(slots: 1))
        guard case .goodbye(let reason)? = Self.replies(actions, to: 7).first else { Issue.record("no goodbye"); return }
        #expect(reason == AgentGoodbye.unknownAgent)
    }

    @Test func creditIsFilledOnTheNextTickInJoinOrder() {
        var farm = Farm()
        farm.add(segments: 3)
        farm.join(1)
        farm.join(2)
        let assigned = Farm.assigned(farm.on(.tick))
        #expect(assigned.map(\.agent) == [Farm.id(1), Farm.id(2)])
        #expect(assigned.map(\.segment) == [0, 1])
        // No credit left: nothing more until someone asks.
        #expect(Farm.assigned(farm.on(.tick, at: 0.5)).isEmpty)
    }

    @Test func everyResultAcceptedOnceCompletesTheJobInOrder() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1, slots: 2)
        let a = Farm.assigned(farm.on(.tick))
        #expect(a.count == 2)
        #expect(farm.result(1, segment: 1, attempt: a[1].attempt).contains { if case .record(.completed) = $0 { true } else { false } })
        // The same result again is not taken.
        #expect(farm.core.wantsResult(SegmentResult(job: "j", segment: 1, attempt: a[1].attempt, frames: 10, firstPTS: 0, lastPTS: 9, reorderDepth: 0, corruptFrames: [], payloadSHA256: "", payloadBytes: 1, decodeSeconds: 0, encodeSeconds: 0), from: Farm.id(1)) == false)
        let last = farm.result(1, segment: 0, attempt: a[0].attempt)
        guard case .completed(let segments, _)? = farm.outcome(last) else { Issue.record("not completed: \(last)"); return }
        #expect(segments.map(\.result.segment) == [0, 1])
        #expect(farm.core.isIdle)
    }

    @Test func aDecodeErrorFailsTheJobWithASentence() {
        var farm = Farm()
        farm.add()
        farm.join(1)
        let a = Farm.assigned(farm.on(.tick))[0]
        let actions = farm.from(1, .failure(SegmentFailure(job: "j", segment: a.segment, attempt: a.attempt, message: "bad slice", permanent: false,
                                                           code: MediaError.Code.decodeFailed.rawValue)))
        guard case .failed(let why)? = farm.outcome(actions) else { Issue.record("job did not fail: \(actions)"); return }
        #expect(why.contains("cannot be decoded"))
    }

    /// The coordinator's disk, not the agent: a sound result it cannot store fails the job with
    /// that sentence at once (the next attempt would fail the same way), and the agent is not
    /// counted against (it was "failed on 2 agents", a Foundation error dump, after retries).
    @Test func aResultTheCoordinatorCannotStoreFailsTheJobNotTheAgent() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1)
        let a = Farm.assigned(farm.on(.tick))[0]
        let why = "the coordinator cannot write its spool file /spool/x.gfps.partial: No space left on device"
        let actions = farm.result(1, segment: a.segment, attempt: a.attempt, check: .spoolFailed(why))
        guard case .failed(let reason)? = farm.outcome(actions) else { Issue.record("job did not fail: \(actions)"); return }
        #expect(reason == why)
        #expect(farm.core.counters.rejectedMessages == 0)
        #expect(farm.core.snapshot(now: farm.now).agents.map(\.name) == ["a1"], "the agent stays")
    }

    @Test func aTransientFailureRunsTheSegmentAgainElsewhere() {
        var farm = Farm()
        farm.add(segments: 1)
        farm.join(1)
        let a = Farm.assigned(farm.on(.tick))[0]
        farm.join(2)
        farm.from(1, .failure(SegmentFailure(job: "j", segment: 0, attempt: a.attempt, message: "encoder crashed", permanent: false)))
        let again = Farm.assigned(farm.on(.tick))
        #expect(again.count == 1)
        #expect(again.first?.attempt == a.attempt + 1)
    }

    /// One agent holding the one segment of a job, dropped after `seconds` of silence.
    static func oneLeaseSilentAfter(seconds: Double) -> Farm {
        var timing = DispatchTiming()
        timing.agentTimeoutSeconds = seconds
        var farm = Farm(timing: timing)
        farm.add(segments: 1)
        farm.join(1)
        _ = Farm.assigned(farm.on(.tick))
        return farm
    }

    /// A large result arrives part by part for longer than the agent timeout: each part keeps
    /// the agent alive and is answered, so the agent, whose heartbeats wait behind the rest of
    /// the result, hears the coordinator too.
    @Test func partsOfALargeResultKeepTheAgentAliveAndAreAnswered() {
        var farm = Self.oneLeaseSilentAfter(seconds: 3)
        for t in stride(from: 1.0, through: 10, by: 1) {
            let answer = farm.on(.agent(identity: Farm.id(1), publicKey: nil, version: WireProtocol.version, .message(.part)), at: t)
            #expect(Self.replies(answer, to: 1).contains { if case .partReceived = $0 { true } else { false } }, "at \(t) s")
            #expect(!farm.on(.tick, at: t + 0.5).contains { if case .record(.requeued) = $0 { true } else { false } }, "at \(t) s")
        }
        // In the middle of a message a stall gets three times the limit (QA: on a 512 kbit/s link
        // that drops packets, TCP's backoff stalled a part past 4 s and every result restarted).
        #expect(!farm.on(.tick, at: 18).contains { if case .record(.requeued) = $0 { true } else { false } },
                "a stall of 8 s in the middle of a message dropped the agent")
        #expect(farm.on(.tick, at: 19.5).contains { if case .record(.requeued) = $0 { true } else { false } },
                "silence past three limits after the last part must still drop the agent")
    }

    /// Between messages the limit is the limit.
    @Test func silenceAfterAWholeMessageDropsTheAgentAtTheLimit() {
        var farm = Self.oneLeaseSilentAfter(seconds: 3)
        farm.on(.agent(identity: Farm.id(1), publicKey: nil, version: WireProtocol.version, .message(.part)), at: 1)
        farm.beat(1, AgentHeartbeat(inProgress: []), at: 2)
        #expect(farm.on(.tick, at: 5.5).contains { if case .record(.requeued) = $0 { true } else { false } })
    }

    @Test func aHeartbeatIsAckedAndALeaseWithoutProgressIsTakenBack() {
        var (farm, attempt) = Farm.oneLease(leaseSeconds: 5)
        let beat = AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: attempt, frames: 3)])
        let acked = farm.beat(1, beat, at: 4)
        #expect(Self.replies(acked, to: 1).contains { if case .heartbeatAck = $0 { true } else { false } })
        // The same count again is no progress. The bound is the longer of 5 s and twice the
        // segment's expected time (10 frames at the 4/3 s per frame reported: 26.7 s).
        farm.beat(1, beat, at: 20)
        #expect(farm.on(.tick, at: 30).isEmpty)
        let expired = farm.on(.tick, at: 31)
        #expect(expired.contains { if case .record(.segmentFailed(_, 0, _, "a1", JobRuntime.stallMessage)) = $0 { true } else { false } })
        #expect(farm.core.counters.leaseExpiries == 1)
    }

    /// An encoder filling its lookahead (x264 veryslow: 60 frames before the first packet, a
    /// minute at 4K) reports no frame done for a long while, but its steps of work (frames in)
    /// grow: that is progress, and the lease stays. The same activity twice is none.
    @Test func workWithoutFramesDoneKeepsTheLease() {
        var (farm, attempt) = Farm.oneLease(leaseSeconds: 5)
        func beat(_ activity: Int, at t: Double) {
            farm.beat(1, AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: attempt, frames: 0, activity: activity)]), at: t)
        }
        for (i, t) in stride(from: 4.0, through: 40, by: 4).enumerated() {
            beat(10 * (i + 1), at: t)
            #expect(!farm.on(.tick, at: t + 0.1).contains { if case .record(.segmentFailed) = $0 { true } else { false } }, "at \(t) s")
        }
        beat(100, at: 44)
        let expired = farm.on(.tick, at: 46)
        #expect(expired.contains { if case .record(.segmentFailed(_, 0, _, "a1", JobRuntime.stallMessage)) = $0 { true } else { false } },
                "no work since 40 s: past the 5 s bound")
    }

    /// An agent's frames per second never goes below 0: a cancelled job's segment leaves the

    /// A segment's input still arriving on a slow link (QA: 28 s for one segment at 256 kbit/s,
    /// the job failed with "no progress within the time allowed"): the agent cannot list the lease
    /// before it has arrived, but its heartbeats count the bytes joined, and while they grow the
    /// lease stays. Once they stop, the bound runs again from the last growth.
    @Test func anInputStillArrivingKeepsTheLease() {
        var (farm, _) = Farm.oneLease(leaseSeconds: 5)
        for (i, t) in stride(from: 2.0, through: 30, by: 2).enumerated() {
            farm.beat(1, AgentHeartbeat(inProgress: [], receiving: 65_536 * (i + 1)), at: t)
            #expect(!farm.on(.tick, at: t + 0.1).contains { if case .record(.segmentFailed) = $0 { true } else { false } }, "at \(t) s")
        }
        farm.beat(1, AgentHeartbeat(inProgress: [], receiving: 65_536 * 15), at: 32)
        #expect(farm.on(.tick, at: 34).isEmpty, "the same count again is no progress, but the bound runs from 30 s")
        let expired = farm.on(.tick, at: 35.5)
        #expect(expired.contains { if case .record(.segmentFailed(_, 0, _, "a1", JobRuntime.stallMessage)) = $0 { true } else { false } },
                "no byte since 30 s: past the 5 s bound")
    }

    /// Bytes arriving are progress only for leases the agent has not listed yet: one it runs
    /// is judged by its frames, however busy the link is behind it.
    @Test func anInputArrivingDoesNotKeepARunningLeaseWithoutFrames() {
        var (farm, attempt) = Farm.oneLease(leaseSeconds: 5)
        for (i, t) in stride(from: 2.0, through: 8, by: 2).enumerated() {
            farm.beat(1, AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: attempt, frames: 0)], receiving: 65_536 * (i + 1)), at: t)
        }
        #expect(farm.on(.tick, at: 8.1).contains { if case .record(.segmentFailed(_, 0, _, "a1", JobRuntime.stallMessage)) = $0 { true } else { false } })
    }
    /// agent's running total (it showed "-1.5 fps" in `gopfarm agents`).
    @Test func anAgentsRateIsNeverNegative() {
        var (farm, attempt) = Farm.oneLease(leaseSeconds: DispatchTiming().leaseSeconds)
        for (t, frames) in [(1.0, 5), (2.0, 9)] {
            farm.beat(1, AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: attempt, frames: frames)]), at: t)
        }
        farm.on(.cancel(job: "j"), at: 2.5)
        farm.beat(1, AgentHeartbeat(inProgress: []), at: 3)
        let rate = farm.core.snapshot(now: 3).agents.first?.framesPerSecond ?? -1
        #expect(rate >= 0 && rate <= 9, "\(rate)")
    }

    /// A resumed job numbers its new attempts after those an earlier run leased (two "attempt 1"
    /// rows of one segment, with swapped agents, came out of a restart).
    @Test func aResumedJobNumbersItsAttemptsOnFromTheEarlierRun() {
        var farm = Farm()
        var job = DispatchSimulation.dispatchJob(SimulationSpec.Job(id: "j", segments: Array(repeating: SimulationSpec.Segment(frames: 10, seconds: 1, sentBytes: 1, returnedBytes: 1), count: 2)))
        job.priorAttempts = [0: 3]
        farm.on(.addJob(job, restored: [:], openError: nil))
        farm.join(1, slots: 2)
        let assigned = Farm.assigned(farm.on(.tick))
        #expect(assigned.map(\.segment) == [0, 1] && assigned.map(\.attempt) == [4, 1], "\(assigned)")
    }

    /// After a restart an agent asks for work before it re-sends the results it finished while
    /// the coordinator was down, and is leased those segments again: the earlier run's result
    /// wins (the new lease loses, as a speculative copy does, and the segment is not handed out
    /// again), and the agent keeps the lease it still works on. (Seen in a real restart: the result was "never leased", the
    /// segment encoded again, and the job failed with the agent called stuck.)
    @Test func aResultOfTheEarlierRunWinsOverItsNewLease() {
        var timing = DispatchTiming()
        timing.agentTimeoutSeconds = 1000
        timing.leaseSeconds = 10
        var farm = Farm(timing: timing)
        var job = DispatchSimulation.dispatchJob(SimulationSpec.Job(id: "j", segments: Array(repeating: SimulationSpec.Segment(frames: 10, seconds: 1, sentBytes: 1, returnedBytes: 1), count: 3)))
        job.priorAttempts = [0: 1, 1: 1]
        farm.on(.addJob(job, restored: [:], openError: nil))
        farm.join(1, slots: 1, prefetch: 1)
        let leased = Farm.assigned(farm.on(.tick))
        #expect(leased.map(\.segment) == [0, 1] && leased.map(\.attempt) == [2, 2], "\(leased)")
        // Segment 1's result of attempt 1 (the earlier run's) arrives: taken (attempt 2 loses, as
        // a speculative copy does).
        farm.result(1, segment: 1, attempt: 1)
        #expect(farm.core.jobs["j"]?.segments[1].isDone == true)
        // Its lease of segment 0 (attempt 2, which it works on) is untouched by a stale result.
        farm.result(1, segment: 0, attempt: 1, check: .invalid(.transient, "stale"))
        #expect(farm.core.agents.values.first?.leases.contains(AgentSession.SegmentRef(job: "j", segment: 0)) == true)
        farm.beat(1, AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: 2, frames: 5)]), at: 1)
        farm.result(1, segment: 0, attempt: 2)
        let rest = Farm.assigned(farm.on(.tick, at: 2))
        #expect(rest.map(\.segment) == [2], "segment 1 is not handed out again: \(rest)")
        #expect(farm.outcome(farm.result(1, segment: 2, attempt: rest.first?.attempt ?? 0)) != nil)
    }

    /// A lease taken back for lack of progress makes its agent stuck only if the agent listed
    /// it running: one it dropped (a revoke crossed it) or still holds queued takes no slot,
    /// and calling the agent stuck failed a job that agent was about to finish.
    @Test func aLeaseTheAgentNeverRanDoesNotMakeItStuck() {
        var (farm, attempt) = Farm.oneLease(leaseSeconds: 5)
        farm.beat(1, AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: attempt, frames: 0, queued: true)]), at: 1)
        farm.beat(1, AgentHeartbeat(inProgress: []), at: 2)
        let expired = farm.on(.tick, at: 7)
        #expect(expired.contains { if case .record(.segmentFailed(_, 0, _, "a1", JobRuntime.stallMessage)) = $0 { true } else { false } })
        #expect(farm.outcome(expired) == nil, "the job failed: \(String(describing: farm.outcome(expired)))")
        #expect(farm.core.agents.values.first?.isStuck == false)
        // It never listed the lease, so the place it asked for is still free: it gets it back
        // (and a revoke, in case the assignment arrives late), and the segment goes back to it.
        #expect(Self.replies(expired, to: 1).contains { if case .revoke(let r) = $0 { r.attempt == attempt } else { false } })
        #expect(Farm.assigned(expired + farm.on(.tick, at: 7.5)).map(\.segment) == [0], "the segment goes back to its agent")
    }

    /// A restarted coordinator resuming a job has agents wait with their hello until the job is
    /// back (their results of it would be refused as unknown before), or the grace is over.
    @Test func agentsWaitWhileAJobResumes() {
        var farm = Farm()
        farm.on(.resuming(jobs: ["j", "k"]))
        func answer(_ actions: [DispatchAction]) -> AgentWelcome? {
            Self.replies(actions, to: 1).lazy.compactMap { if case .welcome(let w) = $0 { w } else { nil } }.first
        }
        let waited = answer(farm.join(1))
        #expect(waited?.accepted == false && waited?.later == true && waited?.retryAfterMilliseconds == 250, "\(String(describing: waited))")
        #expect(waited?.reason == "the coordinator is resuming 2 job(s) after a restart")
        #expect(farm.core.agents.isEmpty)
        farm.add("j")
        farm.on(.resumeEnded(job: "j"))
        #expect(answer(farm.join(1))?.later == true, "k is still being resumed")
        farm.on(.resumeEnded(job: "k"))  // it failed to prepare, say
        #expect(answer(farm.join(1))?.accepted == true)

        var late = Farm()
        late.on(.resuming(jobs: ["x"]), at: 0)
        late.now = DispatchTiming().resumeGraceSeconds + 0.1
        #expect(answer(late.join(1))?.accepted == true, "nobody waits past the grace")
    }

    @Test func aSilentAgentIsDroppedAndItsWorkRequeued() {
        var timing = DispatchTiming()
        timing.agentTimeoutSeconds = 4
        var farm = Farm(timing: timing)
        farm.add(segments: 1)
        farm.join(1)
        _ = farm.on(.tick)
        let actions = farm.on(.tick, at: 5)
        #expect(actions.contains { if case .record(.agentLeft(name: "a1", _)) = $0 { true } else { false } })
        #expect(actions.contains { if case .record(.requeued(job: "j", segment: 0, _)) = $0 { true } else { false } })
        #expect(farm.core.snapshot(now: 5).queueDepth == 1)
    }

    @Test func theSameKeyOnANewConnectionKeepsItsLeases() {
        var farm = Farm()
        farm.add(segments: 1)
        farm.join(1, key: "K")
        let a = Farm.assigned(farm.on(.tick))[0]
        // Reconnected after a cut: a new identity, the same key.
        let back = farm.join(2, key: "K", credit: false)
        #expect(!back.contains { if case .record(.requeued) = $0 { true } else { false } })
        let done = farm.result(2, segment: 0, attempt: a.attempt, key: "K")
        #expect(farm.outcome(done) != nil)
    }

    @Test func aCancelledJobGetsNoMoreWork() {
        var farm = Farm()
        farm.add(segments: 3)
        farm.join(1)
        _ = farm.on(.tick)
        guard case .cancelled? = farm.outcome(farm.on(.cancel(job: "j"))) else { Issue.record("not cancelled"); return }
        farm.from(1, .request(slots: 1))
        #expect(Farm.assigned(farm.on(.tick)).isEmpty)
    }

    /// The agent did nothing wrong: its job was cancelled while it worked. Its late result is
    /// dropped quietly, not counted with the rejected (malformed, foreign) messages ops watch.
    @Test func aResultForACancelledJobIsNotARejectedMessage() {
        var farm = Farm()
        farm.add(segments: 3)
        farm.join(1)
        let a = Farm.assigned(farm.on(.tick))[0]
        _ = farm.on(.cancel(job: "j"))
        _ = farm.result(1, segment: a.segment, attempt: a.attempt)
        #expect(farm.core.counters.rejectedMessages == 0)
        // A result for a job that never was still is one.
        _ = farm.result(1, segment: 0, attempt: 1, job: "never")
        #expect(farm.core.counters.rejectedMessages == 1)
    }

    @Test func aDrainedAgentGetsNothingUntilResumed() {
        var farm = Farm()
        farm.add()
        farm.join(1)
        farm.on(.drain(agent: "a1", on: true))
        #expect(Farm.assigned(farm.on(.tick)).isEmpty)
        farm.on(.drain(agent: "a1", on: false))
        #expect(Farm.assigned(farm.on(.tick)).count == 1)
    }

    @Test func maxAgentsKeepsTheJobOnThatManyAgents() {
        var farm = Farm()
        farm.add(segments: 6, maxAgents: 1)
        farm.join(1)
        farm.join(2)
        farm.join(3)
        let a = Farm.assigned(farm.on(.tick))
        #expect(Set(a.map(\.agent)) == [Farm.id(1)])
    }

    @Test func prefetchedWorkMovesToAnAgentThatIsIdleAtTheEnd() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1, slots: 1, prefetch: 1)
        let first = Farm.assigned(farm.on(.tick))
        #expect(first.map(\.segment) == [0, 1])
        // Agent 1 reports segment 1 queued behind segment 0; agent 2 joins idle.
        let beat = AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: first[0].attempt, frames: 1),
                                               .init(job: "j", segment: 1, attempt: first[1].attempt, frames: 0, queued: true)])
        farm.on(.agent(identity: Farm.id(1), publicKey: nil, version: WireProtocol.version, .message(.heartbeat(beat))), at: 0.5)
        farm.join(2)
        let moved = farm.on(.tick, at: 0.6)
        #expect(Farm.assigned(moved).map { [$0.agent: $0.segment] } == [[Farm.id(2): 1]])
        #expect(Self.replies(moved, to: 1).contains { if case .revoke(let r) = $0 { r.segment == 1 } else { false } })
    }

    @Test func aLateResultOfARequeuedSegmentIsTakenAndTheSegmentNotHandedOutAgain() {
        var timing = DispatchTiming()
        timing.agentTimeoutSeconds = 4
        var farm = Farm(timing: timing)
        farm.add(segments: 2)
        farm.join(1, key: "K")
        let a = Farm.assigned(farm.on(.tick))[0]
        // Silent: dropped, its segment requeued; it comes back and sends the result it finished.
        farm.on(.tick, at: 5)
        farm.join(2, key: "K", credit: false)
        #expect(farm.result(2, segment: a.segment, attempt: a.attempt, key: "K").contains { if case .record(.completed) = $0 { true } else { false } })
        farm.from(2, .request(slots: 1), key: "K")
        let next = Farm.assigned(farm.on(.tick))
        #expect(next.map(\.segment) == [1])
    }

    @Test func queuedWorkOfAStuckAgentGoesBack() {
        var timing = DispatchTiming()
        timing.leaseSeconds = 5
        timing.agentTimeoutSeconds = 1000
        var farm = Farm(timing: timing)
        farm.add(segments: 3, maxAgents: 1)
        farm.join(1, slots: 1, prefetch: 1)
        let a = Farm.assigned(farm.on(.tick))
        #expect(a.count == 2)
        let beat = AgentHeartbeat(inProgress: [.init(job: "j", segment: a[0].segment, attempt: a[0].attempt, frames: 1),
                                               .init(job: "j", segment: a[1].segment, attempt: a[1].attempt, frames: 0, queued: true)])
        for t in stride(from: 1.0, through: 22, by: 1) {
            farm.on(.agent(identity: Farm.id(1), publicKey: nil, version: WireProtocol.version, .message(.heartbeat(beat))), at: t)
        }
        // Segment 0 made no progress past its bound (twice 10 frames at 1 s each): taken back;
        // agent 1 is stuck, so its queued segment goes too.
        let actions = farm.on(.tick, at: 21.5)
        #expect(Self.replies(actions, to: 1).contains { if case .revoke(let r) = $0 { r.segment == a[1].segment } else { false } })
        // `gopfarm agents` and the dashboard say so (QA: a hung agent was listed idle, 0/1).
        let listed = farm.core.snapshot(now: 21.5).agents.first { $0.name == "a1" }
        #expect(listed?.state == .stuck && listed?.busy == 1, "\(String(describing: listed))")
        farm.join(2)
        #expect(Farm.assigned(farm.on(.tick, at: 21.6)).allSatisfy { $0.agent == Farm.id(2) })
    }

    @Test func anAssignmentLostInAReconnectionIsRequeuedAtTheFirstHeartbeat() {
        var farm = Farm()
        farm.add(segments: 2)
        farm.join(1, slots: 1, prefetch: 1, key: "K")
        let a = Farm.assigned(farm.on(.tick))
        #expect(a.count == 2)
        // The agent gave up waiting (segment 1 was still on a slow link) and reconnected: its
        // first heartbeat lists segment 0 only.
        farm.join(2, slots: 1, prefetch: 1, key: "K", credit: false)
        let beat = AgentHeartbeat(inProgress: [.init(job: "j", segment: 0, attempt: a[0].attempt, frames: 3)])
        let actions = farm.on(.agent(identity: Farm.id(2), publicKey: "K", version: WireProtocol.version, .message(.heartbeat(beat))), at: 1)
        #expect(actions.contains { if case .record(.requeued(job: "j", segment: 1, _)) = $0 { true } else { false } })
        #expect(!actions.contains { if case .record(.requeued(job: "j", segment: 0, _)) = $0 { true } else { false } })
        // A later heartbeat that leaves segment 0 out does not requeue it: only the first one counts.
        let quiet = farm.on(.agent(identity: Farm.id(2), publicKey: "K", version: WireProtocol.version, .message(.heartbeat(AgentHeartbeat(inProgress: [])))), at: 2)
        #expect(!quiet.contains { if case .record(.requeued) = $0 { true } else { false } })
    }
}
