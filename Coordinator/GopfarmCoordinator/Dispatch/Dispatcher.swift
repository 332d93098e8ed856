import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// The coordinator's side of the agent protocol for one job: a ZeroMQ ROUTER on its own thread
/// that answers hellos, hands segments to free slots (pull), watches heartbeats and leases,
/// validates results and spools them.
///
/// Everything the loop owns (socket, extractor, segment states) lives on the loop thread; other
/// threads see only `shared` (progress, outcome, stop flag).
public final class Dispatcher: Sendable {
    struct Shared {
        var progress = DispatchProgress()
        var outcome: DispatchOutcome?
        var stopRequested = false
        var endpoint: Result<String, ZMQError>?
    }

    let job: DispatchJob
    let bind: String
    let timing: DispatchTiming
    let logger: Logger
    private let makeExtractor: @Sendable () throws(MediaError) -> SegmentExtractor
    private let shared = Mutex(Shared())
    private let startedSignal = DispatchSemaphore(value: 0)
    private let finishedSignal = DispatchSemaphore(value: 0)
    private let loopExited = DispatchSemaphore(value: 0)

    public init(job: DispatchJob, bind: String, timing: DispatchTiming = DispatchTiming(), logger: Logger,
                makeExtractor: @escaping @Sendable () throws(MediaError) -> SegmentExtractor) {
        self.job = job
        self.bind = bind
        self.timing = timing
        self.logger = logger
        self.makeExtractor = makeExtractor
    }

    /// Starts the loop thread; returns the bound endpoint (with the real port).
    public func start() throws(ZMQError) -> String {
        let thread = Thread { [self] in
            self.loop()
            self.loopExited.signal()
        }
        thread.name = "gopfarm-dispatcher"
        thread.start()
        startedSignal.wait()
        return try shared.withLock { $0.endpoint! }.get()
    }

    public var progress: DispatchProgress { shared.withLock { $0.progress } }

    /// Waits up to `seconds` for the job to end; nil while it runs.
    public func wait(seconds: Double) -> DispatchOutcome? {
        _ = finishedSignal.wait(timeout: .now() + seconds)
        return shared.withLock { $0.outcome }
    }

    /// Dismisses the agents and ends the loop.
    public func stop() {
        shared.withLock { $0.stopRequested = true }
        loopExited.wait()
    }

    private func finish(_ outcome: DispatchOutcome) {
        let first = shared.withLock { s -> Bool in
            guard s.outcome == nil else { return false }
            s.outcome = outcome
            return true
        }
        if first { finishedSignal.signal() }
    }

    // MARK: - Loop thread

    private func loop() {
        let context = ZMQContext()
        let socket: ZMQSocket
        do {
            socket = try ZMQSocket(context: context, kind: .router)
            try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
            let endpoint = try socket.bind(bind)
            shared.withLock { $0.endpoint = .success(endpoint) }
            startedSignal.signal()
        } catch {
            shared.withLock { $0.endpoint = .failure(error) }
            startedSignal.signal()
            return
        }
        var state = LoopState(job: job)
        shared.withLock { $0.progress.segmentsTotal = job.plan.segments.count; $0.progress.framesTotal = job.plan.expectedFrames }
        do {
            state.extractor = try makeExtractor()
        } catch {
            finish(.failed(error.description))
        }
        while !shared.withLock({ $0.stopRequested }) {
            do {
                if try socket.poll(milliseconds: 20) {
                    let frames = try socket.receive()
                    if frames.count >= 2 {
                        handle(identity: frames[0], frames: Array(frames.dropFirst()), state: &state, socket: socket)
                    }
                }
                let now = MonotonicClock.now()
                expire(now: now, state: &state)
                try assign(now: now, state: &state, socket: socket)
                publish(state)
            } catch {
                logger.error("dispatcher error", metadata: ["error": "\(error)"])
            }
        }
        for identity in state.agents.keys {
            _ = try? socket.send([identity] + AgentGoodbye(reason: "job finished").frames())
        }
    }

    struct LoopState {
        var segments: [SegmentStateMachine]
        var agents: [Data: AgentSession] = [:]
        var agentOrder: [Data] = []
        var completed: [Int: CompletedSegment] = [:]
        var extractor: SegmentExtractor?
        var requeues = 0
        var failed = false

        init(job: DispatchJob) {
            segments = Array(repeating: SegmentStateMachine(), count: job.plan.segments.count)
        }
    }

    private func handle(identity: Data, frames: [Data], state: inout LoopState, socket: ZMQSocket) {
        let message: WireFrames
        do { message = try WireFrames(frames) } catch {
            logger.warning("rejected a malformed message", metadata: ["error": "\(error)"])
            return
        }
        let now = MonotonicClock.now()
        if message.type == AgentHello.type {
            guard message.version == WireProtocol.version else {
                let reason = "protocol version \(message.version) is not supported; this coordinator speaks version \(WireProtocol.version)"
                logger.warning("refused an agent", metadata: ["reason": "\(reason)"])
                _ = try? socket.send([identity] + AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds).frames())
                return
            }
            guard let hello = try? message.decode(AgentHello.self), (1...64).contains(hello.slots), !hello.name.isEmpty, hello.name.count <= 200 else {
                logger.warning("rejected a malformed hello")
                return
            }
            if let old = state.agents[identity] { dropAgent(old, reason: "said hello again", state: &state) }
            state.agents[identity] = AgentSession(identity: identity, name: hello.name, slots: hello.slots, lastSeen: now)
            state.agentOrder.append(identity)
            logger.info("agent joined", metadata: ["agent": "\(hello.name)", "slots": "\(hello.slots)", "threads": "\(hello.threads)", "pid": "\(hello.pid)"])
            _ = try? socket.send([identity] + AgentWelcome(accepted: true, heartbeatMilliseconds: timing.heartbeatMilliseconds).frames())
            return
        }
        guard var agent = state.agents[identity] else {
            _ = try? socket.send([identity] + AgentGoodbye(reason: AgentGoodbye.unknownAgent).frames())
            return
        }
        agent.lastSeen = now
        state.agents[identity] = agent
        do {
            switch message.type {
            case SegmentRequest.type:
                let request = try message.decode(SegmentRequest.self)
                agent.credits = min(agent.slots, agent.credits + max(0, request.slots))
                state.agents[identity] = agent
            case AgentHeartbeat.type:
                let beat = try message.decode(AgentHeartbeat.self)
                agent.progress = [:]
                for p in beat.inProgress where p.job == job.id && state.segments.indices.contains(p.segment) {
                    state.segments[p.segment].extend(agent: agent.name + agentKey(identity), attempt: p.attempt, now: now, leaseSeconds: timing.leaseSeconds)
                    agent.progress[p.segment] = max(0, p.frames)
                }
                state.agents[identity] = agent
                _ = try socket.send([identity] + HeartbeatAck().frames())
            case SegmentResult.type:
                let result = try message.decode(SegmentResult.self)
                accept(result, payloads: message.payloads, from: identity, state: &state)
            case SegmentFailure.type:
                let failure = try message.decode(SegmentFailure.self)
                guard failure.job == job.id, state.segments.indices.contains(failure.segment) else {
                    throw WireError("failure for an unknown segment")
                }
                agent.leases.remove(failure.segment)
                state.agents[identity] = agent
                segmentFailed(failure.segment, agent: identity, attempt: failure.attempt, message: failure.message,
                              permanent: failure.permanent, state: &state)
            case AgentGoodbye.type:
                dropAgent(agent, reason: "left", state: &state)
            default:
                throw WireError("unknown message type '\(message.type)'")
            }
        } catch {
            logger.warning("rejected a message", metadata: ["agent": "\(agent.name)", "type": "\(message.type)", "error": "\(error)"])
        }
    }

    /// The state machine's name for an agent: its name plus its connection, so two agents with
    /// the same name are still two agents.
    private func agentKey(_ identity: Data) -> String { "#" + identity.map { String(format: "%02x", $0) }.joined() }

    private func accept(_ result: SegmentResult, payloads: [Data], from identity: Data, state: inout LoopState) {
        guard var agent = state.agents[identity] else { return }
        let key = agent.name + agentKey(identity)
        guard result.job == job.id, state.segments.indices.contains(result.segment) else {
            logger.warning("rejected a result for an unknown segment", metadata: ["agent": "\(agent.name)", "segment": "\(result.segment)"])
            return
        }
        let n = result.segment
        agent.leases.remove(n)
        agent.progress[n] = nil
        state.agents[identity] = agent
        switch state.segments[n].decideResult(agent: key, attempt: result.attempt) {
        case .reject(let why):
            logger.info("ignored a result", metadata: ["agent": "\(agent.name)", "segment": "\(n)", "why": "\(why)"])
            return
        case .accept:
            break
        }
        do {
            let path = try validateAndSpool(result, payloads: payloads)
            state.segments[n].accept(agent: key, attempt: result.attempt)
            state.completed[n] = CompletedSegment(result: result, path: path, agent: agent.name)
            agent.segmentsDone += 1
            state.agents[identity] = agent
            logger.info("segment done", metadata: ["segment": "\(n)", "agent": "\(agent.name)", "frames": "\(result.frames)"])
            if state.completed.count == state.segments.count {
                finish(.completed((0..<state.segments.count).map { state.completed[$0]! }))
            }
        } catch {
            logger.warning("rejected an invalid result", metadata: ["agent": "\(agent.name)", "segment": "\(n)", "error": "\(error)"])
            segmentFailed(n, agent: identity, attempt: result.attempt, message: "\(error)", permanent: false, state: &state)
        }
    }

    /// Checks a result against its hash and the plan, then writes it to the spool.
    private func validateAndSpool(_ result: SegmentResult, payloads: [Data]) throws -> URL {
        let planned = job.plan.segments[result.segment]
        guard payloads.count == 1, let payload = payloads.first else { throw WireError("a result carries exactly one payload") }
        guard payload.count == result.payloadBytes, SHA256.hex(payload) == result.payloadSHA256 else {
            throw WireError("payload does not match its size or SHA-256")
        }
        let reader = try PacketStreamReader(payload)
        guard reader.records.count == result.frames else {
            throw MediaError(.segmentMismatch, "result says \(result.frames) frames but carries \(reader.records.count) packets")
        }
        for r in reader.records where r.pts < planned.startPTS || planned.endPTS.map({ r.pts >= $0 }) == true {
            throw MediaError(.segmentMismatch, "a packet at \(r.pts) lies outside the segment's range")
        }
        if planned.containsCorruptPackets {
            guard result.frames <= planned.expectedFrames, result.frames > 0 else {
                throw MediaError(.segmentMismatch, "segment \(result.segment) has \(result.frames) frames; the plan allows at most \(planned.expectedFrames)")
            }
        } else {
            guard result.frames == planned.expectedFrames, result.firstPTS == planned.firstPTS, result.lastPTS == planned.lastPTS else {
                throw MediaError(.segmentMismatch, "segment \(result.segment) has \(result.frames) frames from \(result.firstPTS) to \(result.lastPTS); the plan says \(planned.expectedFrames) from \(planned.firstPTS) to \(planned.lastPTS)")
            }
        }
        let url = job.spool.appendingPathComponent("\(result.payloadSHA256).gfps")
        try payload.write(to: url, options: .atomic)
        return url
    }

    private func segmentFailed(_ n: Int, agent identity: Data, attempt: Int, message: String, permanent: Bool, state: inout LoopState) {
        let name = state.agents[identity]?.name ?? "?"
        switch state.segments[n].failure(agent: name + agentKey(identity), attempt: attempt, message: message, permanent: permanent) {
        case .failJob(let why):
            logger.error("segment failed for good", metadata: ["segment": "\(n)", "error": "\(why)"])
            state.failed = true
            finish(.failed("segment \(n) failed: \(why)"))
        case .requeue:
            state.requeues += 1
            logger.warning("segment failed; requeued", metadata: ["segment": "\(n)", "agent": "\(name)", "error": "\(message)"])
        case .ignore:
            break
        }
    }

    private func dropAgent(_ agent: AgentSession, reason: String, state: inout LoopState) {
        let key = agent.name + agentKey(agent.identity)
        for n in agent.leases where state.segments[n].agentLost(key) {
            state.requeues += 1
            logger.warning("segment requeued", metadata: ["segment": "\(n)", "agent": "\(agent.name)", "why": "\(reason)"])
        }
        state.agents[agent.identity] = nil
        state.agentOrder.removeAll { $0 == agent.identity }
        logger.info("agent gone", metadata: ["agent": "\(agent.name)", "why": "\(reason)"])
    }

    private func expire(now: Double, state: inout LoopState) {
        for agent in state.agents.values where now - agent.lastSeen > timing.agentTimeoutSeconds {
            dropAgent(agent, reason: "silent for \(timing.agentTimeoutSeconds) s", state: &state)
        }
        for n in state.segments.indices where state.segments[n].checkExpiry(now: now) {
            state.requeues += 1
            for (id, var a) in state.agents where a.leases.contains(n) {
                a.leases.remove(n)
                state.agents[id] = a
            }
            logger.warning("lease expired; segment requeued", metadata: ["segment": "\(n)"])
        }
    }

    /// Hands pending segments, lowest index first, to agents with free slots, in join order.
    private func assign(now: Double, state: inout LoopState, socket: ZMQSocket) throws {
        guard !state.failed, let extractor = state.extractor else { return }
        for identity in state.agentOrder {
            while var agent = state.agents[identity], agent.credits > 0,
                  let n = state.segments.firstIndex(where: \.isPending) {
                let planned = job.plan.segments[n]
                let payload: Data
                do { payload = try extractor.extract(planned) } catch {
                    state.failed = true
                    finish(.failed(error.description))
                    return
                }
                let key = agent.name + agentKey(identity)
                let attempt = state.segments[n].assign(to: key, now: now, leaseSeconds: timing.leaseSeconds)
                let assignment = SegmentAssignment(
                    job: job.id, segment: n, attempt: attempt, startPTS: planned.startPTS, endPTS: planned.endPTS,
                    expectedFrames: planned.expectedFrames, settings: job.settings, frameRate: job.frameRate,
                    payloadSHA256: SHA256.hex(payload), leaseMilliseconds: Int(timing.leaseSeconds * 1000))
                agent.credits -= 1
                agent.leases.insert(n)
                state.agents[identity] = agent
                if try !socket.send([identity] + assignment.frames(payloads: [payload])) {
                    dropAgent(agent, reason: "unreachable", state: &state)
                }
            }
        }
    }

    private func publish(_ state: LoopState) {
        var p = DispatchProgress()
        p.segmentsTotal = state.segments.count
        p.segmentsDone = state.completed.count
        p.framesTotal = job.plan.expectedFrames
        p.framesDone = state.completed.values.reduce(0) { $0 + $1.result.frames }
            + state.agents.values.reduce(0) { $0 + $1.progress.values.reduce(0, +) }
        p.agents = state.agents.count
        p.requeues = state.requeues
        shared.withLock { $0.progress = p }
    }
}
