import Foundation
import GopfarmAgent
import GopfarmCommon
import Testing

/// `AgentCore` as plain sequences: events in, the actions it returns checked one by one.
/// Times are seconds on a made-up clock; nothing here opens a socket or starts a thread.
@Suite("AgentCore")
struct AgentCoreTests {
    typealias Action = AgentCore.Action

    static func assignment(_ segment: Int, attempt: Int = 1, job: String = "j") -> SegmentAssignment {
        SegmentAssignment(job: job, segment: segment, attempt: attempt, startPTS: Int64(segment) * 10, endPTS: Int64(segment + 1) * 10,
                          expectedFrames: 10, settings: EncodeSettings(), frameRate: Rational(25, 1), payloadSHA256: "sha-\(segment)",
                          leaseMilliseconds: 30_000)
    }

    static func result(_ a: SegmentAssignment) -> ResultOutbox.Outcome {
        .result(SegmentResult(job: a.job, segment: a.segment, attempt: a.attempt, frames: 10, firstPTS: a.startPTS, lastPTS: a.startPTS + 9,
                              reorderDepth: 0, corruptFrames: [], payloadSHA256: "out-\(a.segment)", payloadBytes: 3,
                              decodeSeconds: 0, encodeSeconds: 0),
                payloads: [Data([1, 2, 3])])
    }

    static let payload = Data([7, 7])
    static let a = assignment(0)
    static let b = assignment(1)

    /// Hands `assignments` to `core` one after another, at t = 0.01, 0.02, …
    static func assign(_ assignments: [SegmentAssignment], to core: inout AgentCore) {
        for (i, assignment) in assignments.enumerated() {
            _ = core.received(.assignment(assignment, payload: payload), at: 0.01 * Double(i + 1))
        }
    }

    /// `assignment`'s result, as the core hands it to the shell to send.
    static func send(_ assignment: SegmentAssignment, owesRequest: Bool = true) -> Action {
        .sendResult(ResultOutbox.Entry(outcome: result(assignment), owesRequest: owesRequest))
    }
    static let welcome = AgentCore.Incoming.welcome(AgentWelcome(accepted: true, heartbeatMilliseconds: 200))

    static func heartbeat(running: [SegmentAssignment] = [], queued: [SegmentAssignment] = []) -> Action {
        .sendHeartbeat(AgentHeartbeat(inProgress: running.map { .init(job: $0.job, segment: $0.segment, attempt: $0.attempt, frames: 0) }
            + queued.map { .init(job: $0.job, segment: $0.segment, attempt: $0.attempt, frames: 0, queued: true) }))
    }

    /// An agent with `slots` and `prefetch`, heartbeat 0.2 s (silence limit 3 s), welcomed at
    /// t = 0 with its first heartbeat sent and counted.
    static func welcomed(slots: Int = 1, prefetch: Int = 1, creditWithResult: Bool = false) -> AgentCore {
        var core = AgentCore(settings: .init(slots: slots, prefetch: prefetch, heartbeatSeconds: 0.2, stopTimeoutSeconds: 10,
                                             creditWithResult: creditWithResult))
        _ = core.tick(at: 0)
        _ = core.received(welcome, at: 0)
        _ = core.tick(at: 0)
        core.heartbeatSent()
        return core
    }

    /// Welcomed, with `a` assigned and finished: its result waits for the next tick.
    static func finishedOne(prefetch: Int = 1, creditWithResult: Bool = false) -> AgentCore {
        var core = welcomed(prefetch: prefetch, creditWithResult: creditWithResult)
        assign([a], to: &core)
        core.segmentFinished(AgentCore.SegmentKey(a), result(a))
        return core
    }

    @Test("hello, then hellos on fresh links with back-off 1, 2, 4 s until welcomed; the welcome asks for slots + prefetch")
    func helloWelcomeCredit() {
        var core = AgentCore(settings: .init(slots: 2, prefetch: 1, heartbeatSeconds: 1))
        #expect(core.tick(at: 100) == [.sendHello])
        #expect(core.tick(at: 100.9) == [])
        #expect(core.tick(at: 101) == [.reconnect, .sendHello])
        #expect(core.tick(at: 102.5) == [])
        #expect(core.tick(at: 103) == [.reconnect, .sendHello])
        #expect(core.tick(at: 106.9) == [])
        #expect(core.received(Self.welcome, at: 107) == [.note(.connected(again: false, running: 0, results: 0)), .sendCredit(3)])
        #expect(core.isWelcomed)
        #expect(core.tick(at: 107) == [Self.heartbeat()], "the first heartbeat goes out at once")
        #expect(core.received(Self.welcome, at: 107.1) == [], "a second welcome on the same link changes nothing")
    }

    @Test("a refused welcome ends the run with the coordinator's reason")
    func refused() {
        var core = AgentCore(settings: .init(slots: 1, prefetch: 0, heartbeatSeconds: 1))
        _ = core.tick(at: 0)
        #expect(core.received(.welcome(AgentWelcome(accepted: false, reason: "protocol 1 is too old", heartbeatMilliseconds: 1000)), at: 0.1)
            == [.exit(.refused("protocol 1 is too old"))])
    }

    @Test("a refusal that says to try again (a name held by another agent): hello again then, and after 3 in a row give up")
    func refusedForNow() {
        var core = AgentCore(settings: .init(slots: 1, prefetch: 0, heartbeatSeconds: 1))
        let why = "the name 'box' is taken by a connected agent (pid 7); give each agent its own --name"
        let refusal = AgentCore.Incoming.welcome(AgentWelcome(accepted: false, reason: why, heartbeatMilliseconds: 1000, retryAfterMilliseconds: 2000))
        #expect(core.tick(at: 0) == [.sendHello])
        for n in 0..<AgentCore.refusalsBeforeGivingUp {
            let t = 0.1 + 2.1 * Double(n)
            #expect(core.received(refusal, at: t) == [.note(.refusedForNow(why, retryInSeconds: 2))])
            #expect(core.tick(at: t + 1.9) == [], "not before the coordinator said")
            #expect(core.tick(at: t + 2) == [.reconnect, .sendHello])
        }
        #expect(core.received(refusal, at: 7) == [.exit(.refused(why))])

        // A welcome in between starts the count again.
        var back = AgentCore(settings: .init(slots: 1, prefetch: 0, heartbeatSeconds: 1))
        _ = back.tick(at: 0)
        _ = back.received(refusal, at: 0.1)
        _ = back.tick(at: 2.1)
        #expect(back.received(Self.welcome, at: 2.2).contains(.sendCredit(1)))
        #expect(back.isWelcomed)
    }

    /// A restarted coordinator resuming its jobs asks agents to wait: not a refusal (it never
    /// counts toward giving up), said once in the log, hellos on the same link, and the results
    /// finished meanwhile go out after the welcome.
    @Test("asked to wait (the coordinator resumes its jobs): hello again as often as it takes, keeping the results")
    func waitWhileTheCoordinatorResumes() {
        var core = Self.finishedOne(prefetch: 0)
        let why = "the coordinator is resuming 1 job(s) after a restart"
        let wait = AgentCore.Incoming.welcome(AgentWelcome(accepted: false, reason: why, heartbeatMilliseconds: 1000,
                                                           retryAfterMilliseconds: 250, later: true))
        // The coordinator went silent: the agent says hello again.
        var t = 100.0
        #expect(core.tick(at: t).contains(.sendHello))
        for n in 0..<(AgentCore.refusalsBeforeGivingUp + 3) {
            #expect(core.received(wait, at: t + 0.01) == (n == 0 ? [.note(.waiting(why))] : []), "answer \(n)")
            #expect(core.tick(at: t + 0.2) == [])
            #expect(core.tick(at: t + 0.27) == [.sendHello], "again on the same link: it answered")
            t += 0.27
        }
        let back = core.received(Self.welcome, at: t + 0.01)
        #expect(back.contains(.note(.connected(again: true, running: 0, results: 1))), "\(back)")
        #expect(core.tick(at: t + 0.02).contains(Self.send(Self.a, owesRequest: false)))
    }

    @Test("an assignment for a free slot starts; one while busy is queued and listed queued in the heartbeat")
    func assignmentWhileBusyIsQueued() {
        var core = Self.welcomed()
        let (a, b) = (Self.a, Self.b)
        #expect(core.received(.assignment(a, payload: Self.payload), at: 0.05) == [.startSegment(a, payload: Self.payload)])
        #expect(core.received(.assignment(b, payload: Self.payload), at: 0.06) == [.note(.queued(segment: 1, queued: 1))])
        #expect(core.tick(at: 0.1) == [], "no heartbeat before its interval")
        #expect(core.tick(at: 0.2) == [Self.heartbeat(running: [a], queued: [b])])
        #expect(core.queued == [AgentCore.SegmentKey(b)] && core.runningCount == 1)
    }

    @Test("a revoke drops the queued segment (the coordinator gives the credit back itself); a running one is given up, nothing sent of it, its slot asked for again")
    func revokeDropsQueuedAndGivesUpRunning() {
        var core = Self.welcomed()
        let (a, b) = (Self.a, Self.b)
        Self.assign([a, b], to: &core)
        #expect(core.received(.revoke(SegmentRevoke(job: "j", segment: 1, attempt: 2)), at: 0.07) == [],
                "another attempt of the same segment is not ours")
        #expect(core.received(.revoke(SegmentRevoke(job: "j", segment: 1, attempt: 1)), at: 0.08) == [.note(.revoked(segment: 1, dropped: true))])
        #expect(core.received(.revoke(SegmentRevoke(job: "j", segment: 0, attempt: 1)), at: 0.09)
                == [.abortSegment(AgentCore.SegmentKey(a)), .note(.revoked(segment: 0, dropped: false))])
        #expect(core.received(.revoke(SegmentRevoke(job: "j", segment: 0, attempt: 1)), at: 0.095) == [], "once")
        #expect(core.tick(at: 0.2) == [Self.heartbeat(running: [a])], "still running until its slot gives it up")
        core.segmentFinished(AgentCore.SegmentKey(a), .failure(SegmentFailure(job: "j", segment: 0, attempt: 1, message: "revoked",
                                                                              permanent: false, code: MediaError.Code.cancelled.rawValue)))
        #expect(core.runningCount == 0)
        #expect(core.tick(at: 0.25) == [.sendCredit(1)], "no failure sent for work given up on request; its slot asked for")
    }

    @Test("a finished segment sends its result, then asks for the slot it freed, then the heartbeat when due")
    func finishedSendsResultAndAsks() {
        var core = Self.welcomed(slots: 2, prefetch: 0)
        let (a, b) = (Self.a, Self.b)
        Self.assign([a, b], to: &core)
        core.segmentFinished(AgentCore.SegmentKey(a), Self.result(a))
        core.segmentFinished(AgentCore.SegmentKey(b), .failure(SegmentFailure(job: "j", segment: 1, attempt: 1, message: "x", permanent: false)))
        #expect(core.tick(at: 0.3) == [Self.send(a)])
        #expect(core.resultSent(accepted: true)
            == [.sendResult(ResultOutbox.Entry(outcome: .failure(SegmentFailure(job: "j", segment: 1, attempt: 1, message: "x", permanent: false))))])
        #expect(core.resultSent(accepted: true) == [.sendCredit(2), Self.heartbeat()])
        #expect(core.runningCount == 0 && core.undeliveredResults == 2)
    }

    @Test("a result the link does not take stays first in line and asks for nothing yet")
    func refusedSendStaysPending() {
        var core = Self.finishedOne()
        let a = Self.a
        #expect(core.tick(at: 0.1) == [Self.send(a)])
        #expect(core.resultSent(accepted: false) == [])
        #expect(core.tick(at: 0.15) == [Self.send(a)])
        #expect(core.resultSent(accepted: true) == [.sendCredit(1)])
    }

    @Test("a freed slot starts the queued segment at the next tick, before the result goes out")
    func queuedStartsWhenSlotFrees() {
        var core = Self.welcomed()
        let (a, b) = (Self.a, Self.b)
        Self.assign([a, b], to: &core)
        core.segmentFinished(AgentCore.SegmentKey(a), Self.result(a))
        #expect(core.tick(at: 0.1) == [.startSegment(b, payload: Self.payload), Self.send(a)])
        #expect(core.resultSent(accepted: true) == [.sendCredit(1)])
        #expect(core.runningCount == 1 && core.queued.isEmpty)
    }

    @Test("a result is forgotten only once an ack answers a heartbeat sent after it")
    func ackConfirmsResults() {
        var core = Self.finishedOne()
        let a = Self.a
        _ = core.tick(at: 0.1)
        _ = core.resultSent(accepted: true)
        _ = core.received(.heartbeatAck, at: 0.12)  // answers the heartbeat sent at welcome, before the result
        #expect(core.undeliveredResults == 1)
        #expect(core.tick(at: 0.2) == [Self.heartbeat()])
        core.heartbeatSent()
        _ = core.received(.heartbeatAck, at: 0.22)
        #expect(core.undeliveredResults == 0)
    }

    /// QA: on a 512 kbit/s link that drops packets, a segment's input stalled past the silence
    /// limit between two of its parts, and each hello again started its transfer over.
    @Test("in the middle of a message the silence limit is three times as long")
    func partsStretchTheSilenceLimit() {
        var core = Self.welcomed(prefetch: 0)
        _ = core.received(.part, at: 1)
        #expect(!core.tick(at: 8).contains(.sendHello), "7 s after a part")
        #expect(core.tick(at: 10.1).contains(.sendHello), "past three limits after a part")
        var whole = Self.welcomed(prefetch: 0)
        _ = whole.received(.part, at: 1)
        _ = whole.received(.heartbeatAck, at: 2)
        #expect(whole.tick(at: 5.1).contains(.sendHello), "past the limit after a whole message")
    }

    @Test("silence past the limit: hello on a fresh link; after the welcome the unconfirmed result goes out again, owing no request")
    func silenceReconnectsAndResends() {
        var core = Self.welcomed(prefetch: 1)
        let (a, b) = (Self.a, Self.b)
        Self.assign([a, b], to: &core)
        core.segmentFinished(AgentCore.SegmentKey(a), Self.result(a))
        #expect(core.tick(at: 0.1) == [.startSegment(b, payload: Self.payload), Self.send(a)])
        #expect(core.resultSent(accepted: true) == [.sendCredit(1)])
        #expect(core.tick(at: 3.0).last == Self.heartbeat(running: [b]), "3 s after the last message: not yet")
        #expect(core.tick(at: 3.1) == [.note(.silent(seconds: 3)), .reconnect, .sendHello])
        #expect(!core.isWelcomed)
        #expect(core.tick(at: 3.5) == [], "nothing goes out while not welcomed")
        #expect(core.received(Self.welcome, at: 3.6) == [.note(.connected(again: true, running: 1, results: 1)), .sendCredit(1)],
                "slots + prefetch − the one running")
        #expect(core.tick(at: 3.6) == [Self.send(a, owesRequest: false)])
        #expect(core.resultSent(accepted: true) == [Self.heartbeat(running: [b])], "its slot was counted free by the welcome")
    }

    @Test("messages keep the link alive: acks every heartbeat, no reconnect")
    func acksKeepAlive() {
        var core = Self.welcomed()
        for t in stride(from: 0.2, through: 10, by: 0.2) {
            let actions = core.tick(at: t)
            #expect(!actions.contains(.reconnect), "at \(t)")
            if actions.contains(where: { if case .sendHeartbeat = $0 { true } else { false } }) { core.heartbeatSent() }
            _ = core.received(.heartbeatAck, at: t + 0.01)
        }
        #expect(core.isWelcomed)
    }

    @Test("a goodbye dismisses; 'unknown agent' means say hello again at once")
    func goodbye() {
        var core = Self.welcomed()
        #expect(core.received(.goodbye(AgentGoodbye(reason: AgentGoodbye.unknownAgent)), at: 1) == [])
        #expect(core.tick(at: 1) == [.reconnect, .sendHello])
        _ = core.received(Self.welcome, at: 1.1)
        #expect(core.received(.goodbye(AgentGoodbye(reason: "job finished")), at: 2) == [.note(.dismissed("job finished")), .exit(.dismissed("job finished"))])
    }

    @Test("a stop signal hands back the queue, finishes what runs, delivers the result, then leaves")
    func gracefulStop() {
        var core = Self.welcomed()
        let (a, b) = (Self.a, Self.b)
        Self.assign([a, b], to: &core)
        _ = core.received(.heartbeatAck, at: 0.03)  // answers the welcome's heartbeat
        #expect(core.tick(at: 0.1, stopSignals: 1) == [.note(.stopping(running: 1, results: 0, handedBack: 1))])
        #expect(core.queued.isEmpty && core.isStopping)
        #expect(core.received(.assignment(Self.assignment(2), payload: Self.payload), at: 0.12) == [.note(.notStarting(segment: 2))])
        core.segmentFinished(AgentCore.SegmentKey(a), Self.result(a))
        #expect(core.tick(at: 0.15, stopSignals: 1) == [Self.send(a)])
        #expect(core.resultSent(accepted: true) == [], "no request while stopping")
        #expect(core.tick(at: 0.2, stopSignals: 1) == [Self.heartbeat()])
        core.heartbeatSent()
        _ = core.received(.heartbeatAck, at: 0.25)
        #expect(core.tick(at: 0.3, stopSignals: 1) == [.note(.stopped), .leave("agent stopped (SIGTERM)")])
    }

    @Test("a second signal, or the stop timeout, leaves at once handing back what runs")
    func immediateStop() {
        var core = Self.welcomed()
        _ = core.received(.assignment(Self.assignment(0), payload: Self.payload), at: 0.01)
        _ = core.tick(at: 0.1, stopSignals: 1)
        #expect(core.tick(at: 0.2, stopSignals: 2)
            == [.note(.stoppingNow(running: 1, results: 0, why: .secondSignal)), .leave("agent stopped before finishing its segments")])

        var patient = Self.welcomed()
        _ = patient.received(.assignment(Self.assignment(0), payload: Self.payload), at: 0.01)
        _ = patient.tick(at: 1, stopSignals: 1)
        #expect(!patient.tick(at: 11, stopSignals: 1).contains(.leave("agent stopped before finishing its segments")))
        #expect(patient.tick(at: 11.01, stopSignals: 1).last == .leave("agent stopped before finishing its segments"))
    }

    @Test("a stopping agent whose coordinator stopped answering leaves once nothing runs, not after --stop-timeout")
    func stopWithCoordinatorGone() {
        var core = Self.welcomed()  // silence limit 3 s, stop timeout 10 s
        _ = core.received(.assignment(Self.assignment(0), payload: Self.payload), at: 0.01)
        _ = core.tick(at: 0.1, stopSignals: 1)
        // Silent from 0.01: the core says hello again and keeps finishing the segment.
        #expect(core.tick(at: 3.2, stopSignals: 1).contains(.note(.silent(seconds: 3))))
        #expect(!core.tick(at: 6.5, stopSignals: 1).contains(.leave("agent stopped before finishing its segments")),
                "a segment still runs: it may yet be delivered")
        core.segmentFinished(AgentCore.SegmentKey(Self.a), Self.result(Self.a))
        #expect(core.tick(at: 6.6, stopSignals: 1)
            == [.note(.stoppingNow(running: 0, results: 1, why: .coordinatorSilent(seconds: 6))), .leave("agent stopped before finishing its segments")])

        // A coordinator that answers (asks to wait while it resumes) is not gone: the result waits.
        var waiting = Self.welcomed()
        _ = waiting.received(.assignment(Self.assignment(0), payload: Self.payload), at: 0.01)
        waiting.segmentFinished(AgentCore.SegmentKey(Self.a), Self.result(Self.a))
        _ = waiting.tick(at: 0.1, stopSignals: 1)
        _ = waiting.tick(at: 3.2, stopSignals: 1)
        let later = AgentCore.Incoming.welcome(AgentWelcome(accepted: false, reason: "resuming", heartbeatMilliseconds: 200,
                                                             retryAfterMilliseconds: 500, later: true))
        _ = waiting.received(later, at: 5)
        _ = waiting.received(later, at: 8)
        #expect(!waiting.tick(at: 9.9, stopSignals: 1).contains(.leave("agent stopped before finishing its segments")))
    }

    @Test("with creditWithResult the request rides in the result; a resent result carries none")
    func creditWithResult() {
        var core = Self.finishedOne(prefetch: 0, creditWithResult: true)
        let a = Self.a
        guard case .sendResult(let entry) = core.tick(at: 0.05).first, case .result(let sent, _) = entry.outcome else {
            Issue.record("no result sent")
            return
        }
        #expect(sent.requestSlots == 1)
        #expect(core.resultSent(accepted: true) == [], "no separate request")
        _ = core.tick(at: 3.1)  // silent
        _ = core.received(Self.welcome, at: 3.2)
        #expect(core.tick(at: 3.2).first == Self.send(a, owesRequest: false))
    }

    @Test("the back-off starts over after a welcome")
    func backoffResets() {
        var core = AgentCore(settings: .init(slots: 1, prefetch: 0, heartbeatSeconds: 1))
        _ = core.tick(at: 0)
        _ = core.tick(at: 1)
        _ = core.tick(at: 3)  // next hello due at 7
        _ = core.received(Self.welcome, at: 3.5)
        _ = core.received(.goodbye(AgentGoodbye(reason: AgentGoodbye.unknownAgent)), at: 4)
        #expect(core.tick(at: 4) == [.reconnect, .sendHello])
        #expect(core.tick(at: 5) == [.reconnect, .sendHello], "1 s later, not 8")
    }

    @Test("the default silence limit is five heartbeats, at least 3 s")
    func silenceLimit() {
        #expect(AgentCore.Settings(slots: 1, prefetch: 0, heartbeatSeconds: 1).silenceSeconds == 5)
        #expect(AgentCore.Settings(slots: 1, prefetch: 0, heartbeatSeconds: 0.2).silenceSeconds == 3)
    }

    @Test("coordinator messages decode into events; unknown and malformed ones are named")
    func incomingDecoding() throws {
        let a = Self.assignment(4)
        #expect(try AgentCore.Incoming(frames: a.frames(payloads: [Self.payload])) == .assignment(a, payload: Self.payload))
        #expect(try AgentCore.Incoming(frames: HeartbeatAck().frames()) == .heartbeatAck)
        #expect(throws: AgentCore.Incoming.Unreadable.self) { try AgentCore.Incoming(frames: SegmentRequest(slots: 1).frames()) }
        #expect(throws: AgentCore.Incoming.Unreadable.self) { try AgentCore.Incoming(frames: [Data("{".utf8)]) }
    }
}
