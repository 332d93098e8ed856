import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// The coordinator's side of the agent protocol: a ZeroMQ ROUTER on its own thread that answers
/// hellos, hands segments of any number of jobs to free slots (pull; `Scheduler` picks the job),
/// watches heartbeats and leases, re-runs stragglers, validates results and spools them.
///
/// Everything the loop owns (socket, jobs, agents) lives on the loop thread. Other threads talk
/// to it through `inbox` (commands) and read `shared` (snapshot, outcomes); the job store hears
/// of every change through the `recorder`, once per loop turn.
public final class Dispatcher: Sendable {
    enum Command: Sendable {
        case add(DispatchJob, restored: [Int: CompletedSegment], makeExtractor: @Sendable () throws(MediaError) -> SegmentExtractor)
        case cancel(String)
        case drain(String, Bool)
    }

    struct Shared {
        var snapshot = DispatchSnapshot()
        var outcomes: [String: DispatchOutcome] = [:]
        var stopRequested = false
        var dismissOnStop = true
        var endpoint: Result<String, ZMQError>?
    }

    let bind: String
    let timing: DispatchTiming
    let security: DispatchSecurity
    let recorder: DispatchRecorder
    /// Keep each finished job's outcome until `takeOutcome` (one-shot runs); a service hears
    /// of outcomes through the recorder and keeps none, so memory stays flat however many jobs.
    let keepsOutcomes: Bool
    let logger: Logger
    private let shared = Mutex(Shared())
    private let inbox = Mutex<[Command]>([])
    private let startedSignal = DispatchSemaphore(value: 0)
    private let loopExited = DispatchSemaphore(value: 0)

    public init(bind: String, timing: DispatchTiming = DispatchTiming(), security: DispatchSecurity = .insecure,
                recorder: DispatchRecorder = DiscardingRecorder(), keepsOutcomes: Bool = true, logger: Logger) {
        self.bind = bind
        self.keepsOutcomes = keepsOutcomes
        self.timing = timing
        self.security = security
        self.recorder = recorder
        self.logger = logger
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

    /// Queues a job; `restored` segments (coordinator restart) are done already.
    public func add(_ job: DispatchJob, restored: [Int: CompletedSegment] = [:],
                    makeExtractor: @escaping @Sendable () throws(MediaError) -> SegmentExtractor) {
        inbox.withLock { $0.append(.add(job, restored: restored, makeExtractor: makeExtractor)) }
    }

    /// Stops handing out the job's segments; running ones finish and are ignored.
    public func cancel(job: String) { inbox.withLock { $0.append(.cancel(job)) } }

    /// A drained agent finishes its segments and gets no new ones (`false` undoes it).
    public func drain(agent name: String, _ on: Bool = true) {
        inbox.withLock { $0.append(.drain(name, on)) }
    }

    public var snapshot: DispatchSnapshot { shared.withLock { $0.snapshot } }

    public func progress(of job: String) -> DispatchProgress? { shared.withLock { $0.snapshot.jobs[job] } }

    /// The job's outcome once it ended (taken: asked once).
    public func takeOutcome(of job: String) -> DispatchOutcome? {
        shared.withLock { $0.outcomes.removeValue(forKey: job) }
    }

    /// Ends the loop. With `dismissAgents` the agents are told to exit (a one-shot job is over);
    /// without, they notice the silence and reconnect to the next coordinator (a service restart).
    public func stop(dismissAgents: Bool = true) {
        shared.withLock {
            $0.stopRequested = true
            $0.dismissOnStop = dismissAgents
        }
        loopExited.wait()
    }

    // MARK: - Loop thread

    struct LoopState {
        var jobs: [String: JobRuntime] = [:]
        var jobOrder: [String] = []
        var agents: [Data: AgentSession] = [:]
        var agentOrder: [Data] = []
        var drained: Set<String> = []
        var counters = DispatchCounters()
        var events: [DispatchEvent] = []
        var nextSequence = 0
        var lastExpiryCheck = 0.0
        var lastPublish = 0.0
    }

    private func loop() {
        let context = ZMQContext()
        let socket: ZMQSocket
        let authenticator: ZAPHandler?
        do {
            authenticator = try security.prepare(context: context, logger: logger)
            socket = try ZMQSocket(context: context, kind: .router)
            try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
            try security.configure(socket)
            let endpoint = try socket.bind(bind)
            shared.withLock { $0.endpoint = .success(endpoint) }
            startedSignal.signal()
        } catch {
            shared.withLock { $0.endpoint = .failure(error) }
            startedSignal.signal()
            return
        }
        var state = LoopState()
        while !shared.withLock({ $0.stopRequested }) {
            do {
                apply(inbox.withLock { box in defer { box.removeAll() }; return box }, state: &state)
                var handled = 0
                if try socket.poll(milliseconds: 10) {
                    while handled < 512, let (frames, userID) = try socket.receiveIfQueued() {
                        if frames.count >= 2 {
                            handle(identity: frames[0], frames: Array(frames.dropFirst()), publicKey: userID, state: &state, socket: socket)
                        } else {
                            state.counters.rejectedMessages += 1
                        }
                        handled += 1
                    }
                }
                let now = MonotonicClock.now()
                if now - state.lastExpiryCheck > 0.1 {
                    expire(now: now, state: &state)
                    state.lastExpiryCheck = now
                }
                try assign(now: now, state: &state, socket: socket)
                flush(&state)
                if now - state.lastPublish > 0.1 {
                    publish(&state, now: now)
                    state.lastPublish = now
                }
            } catch {
                logger.error("dispatcher error", metadata: ["error": "\(error)"])
            }
        }
        flush(&state)
        if shared.withLock({ $0.dismissOnStop }) {
            for identity in state.agents.keys {
                _ = try? socket.send([identity] + AgentGoodbye(reason: "coordinator stopped").frames())
            }
            // Closing drops what is queued (linger 0): give the goodbyes a moment to go out, or
            // with many agents some never hear that the job is over.
            try? socket.setOption(gf_linger, 1000)
        }
        authenticator?.stop()
    }

    private func flush(_ state: inout LoopState) {
        guard !state.events.isEmpty else { return }
        recorder.record(state.events)
        state.events.removeAll(keepingCapacity: true)
    }

    private func apply(_ commands: [Command], state: inout LoopState) {
        for command in commands {
            switch command {
            case .add(let job, let restored, let makeExtractor):
                let runtime = JobRuntime(job: job, sequence: state.nextSequence, restored: restored)
                state.nextSequence += 1
                do {
                    runtime.extractor = try makeExtractor()
                } catch {
                    finish(job.id, .failed(error.description), state: &state)
                    continue
                }
                state.jobs[job.id] = runtime
                state.jobOrder.append(job.id)
                logger.info("job queued", metadata: ["job": "\(job.id)", "segments": "\(runtime.segments.count)",
                                                     "restored": "\(restored.count)", "priority": "\(job.priority.rawValue)"])
                if runtime.isComplete { finishCompleted(job.id, state: &state) }
            case .cancel(let id):
                if state.jobs[id] != nil { finish(id, .cancelled, state: &state) }
            case .drain(let name, let on):
                if on { state.drained.insert(name) } else { state.drained.remove(name) }
                logger.info(on ? "agent draining" : "agent resumed", metadata: ["agent": "\(name)"])
            }
        }
    }

    private func handle(identity: Data, frames: [Data], publicKey: String?, state: inout LoopState, socket: ZMQSocket) {
        let message: WireFrames
        do { message = try WireFrames(frames) } catch {
            state.counters.rejectedMessages += 1
            logger.warning("rejected a malformed message", metadata: ["error": "\(error)"])
            return
        }
        let now = MonotonicClock.now()
        if message.type == AgentHello.type {
            hello(message, identity: identity, publicKey: publicKey, now: now, state: &state, socket: socket)
            return
        }
        guard var agent = state.agents[identity] else {
            _ = try? socket.send([identity] + AgentGoodbye(reason: AgentGoodbye.unknownAgent).frames())
            return
        }
        agent.lastSeen = now
        state.agents[identity] = agent
        do {
            guard message.version == WireProtocol.version else { throw WireError("protocol version \(message.version)") }
            switch message.type {
            case SegmentRequest.type:
                agent.credit(try message.decode(SegmentRequest.self).slots)
                state.agents[identity] = agent
            case AgentHeartbeat.type:
                let beat = try message.decode(AgentHeartbeat.self)
                guard beat.inProgress.count <= 256 else { throw WireError("heartbeat lists \(beat.inProgress.count) segments") }
                agent.progress = [:]
                // Work taken back for lack of progress holds a slot until the agent stops listing it.
                agent.stalled.formIntersection(beat.inProgress.map { AgentSession.Attempt(job: $0.job, segment: $0.segment, attempt: $0.attempt) })
                for p in beat.inProgress {
                    let ref = AgentSession.SegmentRef(job: p.job, segment: p.segment)
                    guard agent.leases.contains(ref) else { continue }
                    if p.queued == true {
                        state.jobs[p.job]?.queued(p.segment, agent: agent.key, attempt: p.attempt, now: now)
                        continue
                    }
                    let frames = max(0, min(p.frames, 1 << 30))
                    // Only a growing frame count keeps a lease: a heartbeat alone does not.
                    state.jobs[p.job]?.progress(p.segment, agent: agent.key, attempt: p.attempt, frames: frames, now: now)
                    agent.progress[ref] = frames
                }
                agent.sampleRate(now: now)
                state.agents[identity] = agent
                _ = try socket.send([identity] + HeartbeatAck().frames())
            case SegmentResult.type:
                let result = try message.decode(SegmentResult.self)
                accept(result, payloads: message.payloads, from: identity, now: now, state: &state)
                if let slots = result.requestSlots, var after = state.agents[identity] {
                    after.credit(slots)
                    state.agents[identity] = after
                }
            case SegmentFailure.type:
                let failure = try message.decode(SegmentFailure.self)
                let ref = AgentSession.SegmentRef(job: failure.job, segment: failure.segment)
                guard agent.leases.contains(ref) || state.jobs[failure.job]?.segments.indices.contains(failure.segment) == true else {
                    throw WireError("failure for an unknown segment")
                }
                agent.leases.remove(ref)
                agent.progress[ref] = nil
                agent.stalled.remove(AgentSession.Attempt(job: failure.job, segment: failure.segment, attempt: failure.attempt))
                state.agents[identity] = agent
                segmentFailed(ref, agent: agent, attempt: failure.attempt, message: String(failure.message.prefix(1000)),
                              kind: Self.kind(of: failure), state: &state)
            case AgentGoodbye.type:
                dropAgent(agent, reason: "left", state: &state)
            default:
                throw WireError("unknown message type '\(message.type.prefix(40))'")
            }
        } catch {
            state.counters.rejectedMessages += 1
            logger.warning("rejected a message", metadata: ["agent": "\(agent.name)", "type": "\(message.type.prefix(40))", "error": "\(error)"])
        }
    }

    private func hello(_ message: WireFrames, identity: Data, publicKey: String?, now: Double, state: inout LoopState, socket: ZMQSocket) {
        guard message.version == WireProtocol.version else {
            let reason = "protocol version \(message.version) is not supported; this coordinator speaks version \(WireProtocol.version) (run the same gopfarm release on agents and coordinator)"
            state.counters.refusedAgents += 1
            logger.warning("refused an agent", metadata: ["reason": "\(reason)"])
            _ = try? socket.send([identity] + AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds).frames())
            return
        }
        guard let hello = try? message.decode(AgentHello.self), (1...64).contains(hello.slots), !hello.name.isEmpty,
              hello.name.count <= 200, hello.encoders.count <= 64, hello.agentVersion.count <= 100 else {
            state.counters.rejectedMessages += 1
            logger.warning("rejected a malformed hello")
            return
        }
        if let old = state.agents[identity] { dropAgent(old, reason: "said hello again", state: &state) }
        var session = AgentSession(identity: identity, hello: hello, publicKey: publicKey, now: now)
        // The same key on a new connection is the same agent back after a cut: it still works on
        // its segments, so the new session takes over their leases instead of requeuing them.
        if let (oldIdentity, old) = state.agents.first(where: { $0.value.key == session.key }) {
            session.leases = old.leases
            session.progress = old.progress
            session.stalled = old.stalled
            session.segmentsDone = old.segmentsDone
            session.framesDone = old.framesDone
            state.agents[oldIdentity] = nil
            state.agentOrder.removeAll { $0 == oldIdentity }
            logger.info("agent reconnected", metadata: ["agent": "\(hello.name)", "segments": "\(old.leases.count)"])
        }
        state.agents[identity] = session
        state.agentOrder.append(identity)
        logger.info("agent joined", metadata: ["agent": "\(hello.name)", "slots": "\(hello.slots)", "threads": "\(hello.threads)",
                                               "version": "\(hello.agentVersion)", "pid": "\(hello.pid)"])
        state.events.append(.agentJoined(session.status(now: now, draining: state.drained.contains(hello.name))))
        _ = try? socket.send([identity] + AgentWelcome(accepted: true, heartbeatMilliseconds: timing.heartbeatMilliseconds).frames())
    }

    private func accept(_ result: SegmentResult, payloads: [Data], from identity: Data, now: Double, state: inout LoopState) {
        guard var agent = state.agents[identity] else { return }
        let ref = AgentSession.SegmentRef(job: result.job, segment: result.segment)
        agent.leases.remove(ref)
        agent.progress[ref] = nil
        agent.stalled.remove(AgentSession.Attempt(job: result.job, segment: result.segment, attempt: result.attempt))
        state.agents[identity] = agent
        guard let job = state.jobs[result.job], job.segments.indices.contains(result.segment) else {
            state.counters.rejectedMessages += 1
            logger.warning("rejected a result for an unknown segment", metadata: ["agent": "\(agent.name)", "job": "\(result.job.prefix(40))", "segment": "\(result.segment)"])
            return
        }
        let n = result.segment
        switch job.segments[n].decideResult(agent: agent.key, attempt: result.attempt) {
        case .reject(let why):
            state.counters.rejectedMessages += 1
            logger.info("ignored a result", metadata: ["agent": "\(agent.name)", "job": "\(job.id)", "segment": "\(n)", "why": "\(why)"])
            return
        case .accept:
            break
        }
        do {
            let path = try ResultValidator(planned: job.job.plan.segments[n], spool: job.job.spool, analyzed: job.job.analysis != nil,
                                           encoded: job.job.mode == .encode).validateAndSpool(result, payloads: payloads)
            let started = job.segments[n].leases.first { $0.attempt == result.attempt }?.started
            job.segments[n].accept(agent: agent.key, attempt: result.attempt)
            let seconds = started.map { now - $0 } ?? (result.decodeSeconds + result.encodeSeconds)
            let completed = CompletedSegment(result: result, path: path, agent: agent.name,
                                             leasedAt: Date(timeIntervalSinceNow: -seconds), finishedAt: Date())
            job.complete(n, with: completed, seconds: seconds)
            agent.segmentsDone += 1
            agent.framesDone += result.frames
            state.agents[identity] = agent
            state.counters.completions += 1
            state.counters.framesCompleted += result.frames
            state.events.append(.completed(job: job.id, segment: completed, seconds: seconds))
            logger.debug("segment done", metadata: ["job": "\(job.id)", "segment": "\(n)", "agent": "\(agent.name)", "frames": "\(result.frames)"])
            if job.isComplete { finishCompleted(job.id, state: &state) }
        } catch {
            state.counters.rejectedMessages += 1
            logger.warning("rejected an invalid result", metadata: ["agent": "\(agent.name)", "job": "\(job.id)", "segment": "\(n)", "error": "\(error)"])
            // A result that differs from the plan is `mismatch` (the same twice ends the job); a
            // damaged transfer or a wrong hash may pass on another try.
            let kind: SegmentStateMachine.FailureKind = (error as? MediaError)?.code == .segmentMismatch ? .mismatch : .transient
            segmentFailed(ref, agent: agent, attempt: result.attempt, message: "\(error)", kind: kind, state: &state)
        }
    }

    /// What an agent's failure says about the segment: its error code, when it sent one, tells
    /// a decode or range error (the same on every agent) from one that may pass elsewhere.
    static func kind(of failure: SegmentFailure) -> SegmentStateMachine.FailureKind {
        if failure.permanent { return .permanent }
        switch failure.code.flatMap(MediaError.Code.init(rawValue:)) {
        case .decodeFailed?, .segmentMismatch?: return .deterministic
        default: return .transient
        }
    }

    private func segmentFailed(_ ref: AgentSession.SegmentRef, agent: AgentSession, attempt: Int, message: String,
                               kind: SegmentStateMachine.FailureKind, state: inout LoopState) {
        guard let job = state.jobs[ref.job] else { return }
        let outcome = job.segmentFailed(ref.segment, agentKey: agent.key, agentName: agent.name, attempt: attempt, message: message, kind: kind)
        if outcome != .ignore {
            state.counters.failures += 1
            state.events.append(.segmentFailed(job: job.id, segment: ref.segment, attempt: attempt, agent: agent.name, message: message))
            if job.isBlocklisted(agent.name) {
                logger.warning("agent blocklisted for this job", metadata: ["job": "\(job.id)", "agent": "\(agent.name)"])
            }
        }
        switch outcome {
        case .failJob(let sentence):
            logger.error("segment failed for good", metadata: ["job": "\(job.id)", "segment": "\(ref.segment)", "error": "\(message)"])
            finish(job.id, .failed(sentence), state: &state)
        case .requeue:
            requeued(ref, reason: "failed on \(agent.name): \(message)", state: &state)
        case .keepRunning, .ignore:
            break
        }
    }

    private func requeued(_ ref: AgentSession.SegmentRef, reason: String, state: inout LoopState) {
        state.counters.requeues += 1
        state.events.append(.requeued(job: ref.job, segment: ref.segment, reason: reason))
        logger.warning("segment requeued", metadata: ["job": "\(ref.job)", "segment": "\(ref.segment)", "why": "\(reason)"])
    }

    private func dropAgent(_ agent: AgentSession, reason: String, state: inout LoopState) {
        for ref in agent.leases {
            guard let job = state.jobs[ref.job] else { continue }
            if job.segments[ref.segment].agentLost(agent.key) {
                job.markRequeued(ref.segment)
                requeued(ref, reason: "\(agent.name) \(reason)", state: &state)
            } else {
            }
        }
        state.agents[agent.identity] = nil
        state.agentOrder.removeAll { $0 == agent.identity }
        state.events.append(.agentLeft(name: agent.name, reason: reason))
        logger.info("agent gone", metadata: ["agent": "\(agent.name)", "why": "\(reason)"])
    }

    private func expire(now: Double, state: inout LoopState) {
        for agent in state.agents.values where now - agent.lastSeen > timing.agentTimeoutSeconds {
            dropAgent(agent, reason: "silent for \(timing.agentTimeoutSeconds) s", state: &state)
        }
        for id in state.jobOrder {
            guard let job = state.jobs[id] else { continue }
            for (n, lease, bound) in job.stalledLeases(now: now, timing: timing) {
                guard state.jobs[id] != nil else { break }  // an earlier stall failed the job
                state.counters.leaseExpiries += 1
                let ref = AgentSession.SegmentRef(job: id, segment: n)
                guard let (identity, a) = state.agents.first(where: { $0.value.key == lease.agent }) else {
                    // Its agent is gone (its leases were requeued then): drop the stale lease.
                    _ = job.segments[n].agentLost(lease.agent)
                    if job.segments[n].isPending { job.markRequeued(n); requeued(ref, reason: "lease expired", state: &state) }
                    continue
                }
                var agent = a
                agent.leases.remove(ref)
                agent.progress[ref] = nil
                agent.stalled.insert(AgentSession.Attempt(job: id, segment: n, attempt: lease.attempt))
                state.agents[identity] = agent
                logger.warning("lease taken back: no progress", metadata: [
                    "job": "\(id)", "segment": "\(n)", "agent": "\(agent.name)", "frames": "\(lease.frames)",
                    "seconds": "\(String(format: "%.1f", now - lease.progressed))", "bound": "\(String(format: "%.1f", bound))"])
                segmentFailed(ref, agent: agent, attempt: lease.attempt, message: JobRuntime.stallMessage, kind: .transient, state: &state)
            }
        }
        failJobsNoAgentCanRun(state: &state)
    }

    /// A job must never wait on agents that will not take it: when every connected agent is
    /// blocklisted for it or stuck, it fails with a sentence saying so.
    private func failJobsNoAgentCanRun(state: inout LoopState) {
        guard !state.agents.isEmpty else { return }
        let connected = state.agents.values.map { JobRuntime.AgentView(name: $0.name, stuck: $0.isStuck) }
        for id in state.jobOrder {
            guard let job = state.jobs[id], let why = job.whyNoAgentCanRun(connected: connected) else { continue }
            logger.error("no agent can run the job", metadata: ["job": "\(id)", "why": "\(why)"])
            finish(id, .failed(why), state: &state)
        }
    }

    /// Hands segments to agents that asked for work, in join order: a pending segment of the job
    /// `Scheduler` picks, or else a straggler to re-run. Every idle slot is filled before any
    /// prefetch place, so an agent never queues a segment another agent could start now.
    private func assign(now: Double, state: inout LoopState, socket: ZMQSocket) throws {
        guard !state.jobs.isEmpty else { return }
        var runningByOwner: [String: Int] = [:]
        // Agents holding each job's segments now, for jobs with `maxAgents`.
        var holders: [String: Set<Data>] = [:]
        for (identity, agent) in state.agents {
            for ref in agent.leases {
                runningByOwner[state.jobs[ref.job]?.job.owner ?? "", default: 0] += 1
                holders[ref.job, default: []].insert(identity)
            }
        }
        func allowed(_ job: JobRuntime, _ identity: Data) -> Bool {
            guard let limit = job.job.maxAgents else { return true }
            let holding = holders[job.job.id] ?? []
            return holding.contains(identity) || holding.count < limit
        }
        for prefetching in [false, true] {
            for identity in state.agentOrder {
                while let agent = state.agents[identity], agent.credits > 0, !state.drained.contains(agent.name),
                      agent.leases.count < (prefetching ? agent.capacity : agent.hello.slots) {
                    let candidates = state.jobOrder.compactMap { id -> Scheduler.Candidate? in
                        guard let job = state.jobs[id], job.hasPending, !job.isBlocklisted(agent.name), allowed(job, identity) else { return nil }
                        return Scheduler.Candidate(job: id, priority: job.job.priority, owner: job.job.owner, sequence: job.sequence)
                    }
                    let next: (job: String, segment: Int, speculative: Bool)
                    if let pick = Scheduler.pick(candidates, runningByOwner: runningByOwner) {
                        guard let n = state.jobs[pick.job]?.nextPending() else { break }
                        next = (pick.job, n, false)
                        runningByOwner[pick.owner, default: 0] += 1
                    } else if !prefetching, let (id, n) = queuedElsewhere(for: agent, state: state, allowed: { allowed($0, identity) }) {
                        // Waiting behind another agent's work while this one idles: take it over.
                        guard try send(job: id, segment: n, to: identity, speculative: false, now: now, state: &state, socket: socket) else { break }
                        holders[id, default: []].insert(identity)
                        withdrawQueued(job: id, segment: n, keeping: agent.key, state: &state, socket: socket)
                        continue
                    } else if !prefetching, let (id, n) = straggler(for: agent, now: now, state: &state, allowed: { allowed($0, identity) }) {
                        next = (id, n, true)
                    } else {
                        break
                    }
                    guard try send(job: next.job, segment: next.segment, to: identity, speculative: next.speculative, now: now,
                                   state: &state, socket: socket) else { break }
                    holders[next.job, default: []].insert(identity)
                }
            }
        }
    }

    /// A segment whose only lease waits prefetched on another agent, for an agent with an idle slot.
    private func queuedElsewhere(for agent: AgentSession, state: LoopState, allowed: (JobRuntime) -> Bool) -> (String, Int)? {
        for id in state.jobOrder {
            guard let job = state.jobs[id], !job.hasPending, !job.isBlocklisted(agent.name), allowed(job) else { continue }
            if let n = job.running.sorted().first(where: { job.segments[$0].waitsQueued && job.segments[$0].leases[0].agent != agent.key }) {
                return (id, n)
            }
        }
        return nil
    }

    /// Drops the queued lease(s) of segment `n` other than `keeping`'s and tells their agents,
    /// which drop it from their queues and get the place back as credit.
    private func withdrawQueued(job id: String, segment n: Int, keeping: String, state: inout LoopState, socket: ZMQSocket) {
        guard let job = state.jobs[id] else { return }
        for lease in job.segments[n].leases where lease.agent != keeping && lease.queued {
            _ = job.segments[n].agentLost(lease.agent)
            guard let (identity, found) = state.agents.first(where: { $0.value.key == lease.agent }) else { continue }
            var holder = found
            let ref = AgentSession.SegmentRef(job: id, segment: n)
            holder.leases.remove(ref)
            holder.progress[ref] = nil
            holder.credit(1)
            state.agents[identity] = holder
            state.events.append(.moved(job: id, segment: n, attempt: lease.attempt, from: holder.name))
            logger.info("queued segment moved to an idle agent", metadata: ["job": "\(id)", "segment": "\(n)", "from": "\(holder.name)"])
            _ = try? socket.send([identity] + SegmentRevoke(job: id, segment: n, attempt: lease.attempt).frames())
        }
    }

    private func straggler(for agent: AgentSession, now: Double, state: inout LoopState,
                           allowed: (JobRuntime) -> Bool) -> (String, Int)? {
        let policy = StragglerPolicy(factor: timing.speculateFactor, minimumSeconds: timing.speculateAfterSeconds)
        for id in state.jobOrder {
            guard let job = state.jobs[id], !job.hasPending, !job.isBlocklisted(agent.name), allowed(job) else { continue }
            let running = job.running.map {
                StragglerPolicy.Running(segment: $0, leases: job.segments[$0].leases, expectedFrames: job.job.plan.segments[$0].expectedFrames)
            }
            if let n = policy.pick(running: running, secondsPerFrame: job.secondsPerFrame, now: now, agent: agent.key) {
                return (id, n)
            }
        }
        return nil
    }

    /// Extracts segment `n` and sends it as a new lease; false when nothing was sent.
    private func send(job id: String, segment n: Int, to identity: Data, speculative: Bool, now: Double,
                      state: inout LoopState, socket: ZMQSocket) throws -> Bool {
        guard let job = state.jobs[id], var agent = state.agents[identity], let extractor = job.extractor else { return false }
        let planned = job.job.plan.segments[n]
        let payload: Data
        let extractStarted = MonotonicClock.now()
        do { payload = try extractor.extract(planned) } catch {
            finish(id, .failed(error.description), state: &state)
            return false
        }
        let attempt = job.segments[n].assign(to: agent.key, now: now)
        job.markLeased(n)
        var settings = job.job.settings
        settings.threads = agent.hello.threads
        let assignment = SegmentAssignment(
            job: id, segment: n, attempt: attempt, startPTS: planned.startPTS, endPTS: planned.endPTS,
            expectedFrames: planned.expectedFrames, settings: settings, frameRate: job.job.frameRate,
            payloadSHA256: SHA256.hex(payload), leaseMilliseconds: Int(timing.leaseSeconds * 1000),
            analysis: job.job.analysis, mode: job.job.mode == .encode ? nil : job.job.mode)
        let ref = AgentSession.SegmentRef(job: id, segment: n)
        agent.credits -= 1
        agent.leases.insert(ref)
        state.agents[identity] = agent
        state.counters.assignments += 1
        if speculative {
            state.counters.speculative += 1
            logger.info("straggler re-run speculatively", metadata: ["job": "\(id)", "segment": "\(n)", "agent": "\(agent.name)"])
        }
        state.events.append(.assigned(job: id, segment: n, attempt: attempt, agent: agent.name, speculative: speculative,
                                      extractSeconds: MonotonicClock.now() - extractStarted, sentBytes: payload.count))
        if try !socket.send([identity] + assignment.frames(payloads: [payload])) {
            dropAgent(agent, reason: "unreachable", state: &state)
        }
        return true
    }

    private func finishCompleted(_ id: String, state: inout LoopState) {
        guard let job = state.jobs[id] else { return }
        finish(id, .completed((0..<job.segments.count).map { job.completed[$0]! }), state: &state)
    }

    /// Ends a job: outcome published, state dropped (memory stays flat however many jobs ran).
    private func finish(_ id: String, _ outcome: DispatchOutcome, state: inout LoopState) {
        // Agents still encoding its segments keep their leases until the (ignored) results come back.
        state.jobs[id] = nil
        state.jobOrder.removeAll { $0 == id }
        state.events.append(.jobFinished(job: id, outcome: outcome))
        let counters = state.counters
        shared.withLock {
            if keepsOutcomes { $0.outcomes[id] = outcome }
            $0.snapshot.jobs[id] = nil
            $0.snapshot.counters = counters  // current when the outcome is read
        }
    }

    private func publish(_ state: inout LoopState, now: Double) {
        var snapshot = DispatchSnapshot()
        var working: [String: Set<String>] = [:]
        var inFlightFrames: [String: Int] = [:]
        for agent in state.agents.values {
            for ref in agent.leases { working[ref.job, default: []].insert(agent.name) }
            for (ref, frames) in agent.progress { inFlightFrames[ref.job, default: 0] += frames }
        }
        for (id, job) in state.jobs {
            var p = DispatchProgress()
            p.segmentsTotal = job.segments.count
            p.segmentsDone = job.completed.count
            p.framesTotal = job.job.plan.expectedFrames
            p.framesDone = min(p.framesTotal, job.framesCompleted + inFlightFrames[id, default: 0])
            p.agents = working[id]?.count ?? 0
            p.requeues = job.requeues
            snapshot.jobs[id] = p
            snapshot.queueDepth += job.pendingCount
        }
        snapshot.agents = state.agentOrder.compactMap { identity in
            state.agents[identity].map { $0.status(now: now, draining: state.drained.contains($0.name)) }
        }
        snapshot.counters = state.counters
        shared.withLock { $0.snapshot = snapshot }
    }
}
