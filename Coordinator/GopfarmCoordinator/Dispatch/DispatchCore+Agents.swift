import Foundation
import GopfarmCommon
import Logging

/// Agents' messages: hellos, credit, heartbeats, results, failures, goodbyes.
extension DispatchCore {
    mutating func agentMessage(_ input: AgentInput, identity: Data, publicKey: String?, version: Int, now: Double) {
        if let publicKey, revokedKeys.contains(publicKey) {
            if let agent = agents[identity] { dropAgent(agent, reason: "key revoked") }
            out.append(.send(identity, .goodbye(Self.revokedSentence)))
            return
        }
        if case .message(.hello(let hello)) = input {
            self.hello(hello, identity: identity, publicKey: publicKey, version: version, now: now)
            return
        }
        if case .malformed(let type, let reason) = input {
            count { $0.rejectedMessages += 1 }
            logger.warning("rejected a malformed message", metadata: ["agent": "\(agents[identity]?.name ?? "unknown")",
                                                                      "type": "\(type.prefix(40))", "error": "\(reason)"])
        }
        guard var agent = agents[identity] else {
            out.append(.send(identity, .goodbye(AgentGoodbye.unknownAgent)))
            return
        }
        agent.lastSeen = now
        if case .message(let message) = input { if case .part = message { agent.sendingParts = true } else { agent.sendingParts = false } }
        put(agent)
        let type: String
        switch input {
        case .malformed:
            return
        case .message(let message):
            type = message.wireType
            guard version == WireProtocol.version else {
                // Its hello spoke this coordinator's version: a peer that speaks another one
                // afterwards (a half-rebuilt agent) is understood by neither side. Rejecting its
                // messages one by one kept it, and its job waited on it for ever: dismissed,
                // its segments go back to the queue.
                reject(agent: agent.name, type: type, reason: "protocol version \(version)")
                out.append(.send(identity, .goodbye(Self.versionSentence(version))))
                dropAgent(agent, reason: "spoke protocol version \(version) after its hello")
                return
            }
            switch message {
            case .hello:
                break  // handled above
            case .part:
                out.append(.send(identity, .partReceived))  // lastSeen moved: the agent is there
            case .request(let slots):
                agent.credit(slots)
                put(agent)
            case .heartbeat(let beat):
                guard beat.inProgress.count <= 256 else {
                    reject(agent: agent.name, type: type, reason: "heartbeat lists \(beat.inProgress.count) segments")
                    return
                }
                heartbeat(beat, agent: &agent, now: now)
                watchPhantoms(beat, agent: &agent, now: now)
                put(agent)
                if !agent.unconfirmed.isEmpty { requeueUnlisted(beat, agent: agent) }
                out.append(.send(identity, .heartbeatAck))
            case .result(let result, let check, let receivedAt):
                accept(result, check: check, receivedAt: receivedAt, from: identity, now: now)
                if let slots = result.requestSlots, var after = agents[identity] {
                    after.credit(slots)
                    put(after)
                }
            case .failure(let failure):
                let ref = AgentSession.SegmentRef(job: failure.job, segment: failure.segment)
                if jobs[failure.job] == nil, endedJobs.contains(failure.job) {
                    // Its job ended while the agent worked on it: not the agent's fault.
                    agent.release(ref, attempt: failure.attempt)
                    put(agent)
                    return
                }
                guard agent.leases.contains(ref) || jobs[failure.job]?.segments.indices.contains(failure.segment) == true else {
                    reject(agent: agent.name, type: type, reason: "failure for an unknown segment")
                    return
                }
                if !holdsAnotherAttempt(ref, agent: agent, attempt: failure.attempt) {
                    agent.release(ref, attempt: failure.attempt)
                    put(agent)
                }
                segmentFailed(ref, agent: agent, attempt: failure.attempt, message: String(failure.message.prefix(1000)),
                              kind: Self.kind(of: failure))
            case .goodbye:
                dropAgent(agent, reason: "left")
            }
        }
    }

    /// Whether the agent holds the segment under another attempt than the one a result or
    /// failure names (one of an earlier run, re-sent after this run leased the segment to it
    /// again): that message must not drop the lease it is working on.
    private func holdsAnotherAttempt(_ ref: AgentSession.SegmentRef, agent: AgentSession, attempt: Int) -> Bool {
        guard let job = jobs[ref.job], job.segments.indices.contains(ref.segment) else { return false }
        return job.segments[ref.segment].leases.contains { $0.agent == agent.key && $0.attempt != attempt }
    }

    private mutating func reject(agent: String, type: String, reason: String) {
        count { $0.rejectedMessages += 1 }
        logger.warning("rejected a message", metadata: ["agent": "\(agent)", "type": "\(type.prefix(40))", "error": "\(reason)"])
    }

    private mutating func hello(_ hello: AgentHello?, identity: Data, publicKey: String?, version: Int, now: Double) {
        guard version == WireProtocol.version else {
            let reason = Self.versionSentence(version)
            count { $0.refusedAgents += 1 }
            logger.warning("refused an agent", metadata: ["reason": "\(reason)"])
            out.append(.send(identity, .welcome(AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds))))
            return
        }
        guard let hello else {
            count { $0.rejectedMessages += 1 }
            logger.warning("rejected a hello that does not decode")
            return
        }
        // A hello that decodes is answered: the agent says why it was refused instead of
        // waiting in silence.
        if let reason = hello.refusal {
            count { $0.refusedAgents += 1 }
            logger.warning("refused an agent", metadata: ["reason": "\(reason)"])
            out.append(.send(identity, .welcome(AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds))))
            return
        }
        if agentsWait(now: now) {
            let reason = "the coordinator is resuming \(resuming.count) job(s) after a restart"
            out.append(.send(identity, .welcome(AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds,
                                                             retryAfterMilliseconds: 250, later: true))))
            return
        }
        if let old = agents[identity] { dropAgent(old, reason: "said hello again") }
        var session = AgentSession(identity: identity, hello: hello, publicKey: publicKey, now: now)
        // The same key on a new connection is the same agent back after a cut: it still works on
        // its segments, so the new session takes over their leases instead of requeuing them.
        if let oldIdentity = identities[session.key], let old = agents[oldIdentity] {
            session.takeOver(old)
            removeAgent(oldIdentity)
            logger.info("agent reconnected", metadata: ["agent": "\(hello.name)", "segments": "\(old.leases.count)"])
        }
        // One name, one agent: `drain NAME` and every listing mean one machine. Another agent
        // (another key) keeps the name while this coordinator counts it connected (heard from
        // within the agent timeout, whatever its heartbeat), and the newcomer is told to try
        // again when that would run out, then gives up with the sentence; the holder gone
        // quiet that long (killed, and restarted at once under its name) is replaced.
        if let holder = agents.values.first(where: { $0.name == hello.name && $0.key != session.key }) {
            let silent = now - holder.lastSeen
            if silent < timing.agentTimeoutSeconds {
                let reason = "the name '\(hello.name)' is taken by a connected agent (pid \(holder.hello.pid)); give each agent its own --name"
                count { $0.refusedAgents += 1 }
                logger.warning("refused an agent", metadata: ["agent": "\(hello.name)", "pid": "\(hello.pid)", "reason": "name in use"])
                let retry = Int(((timing.agentTimeoutSeconds - silent) * 1000).rounded(.up)) + 100
                out.append(.send(identity, .welcome(AgentWelcome(accepted: false, reason: reason, heartbeatMilliseconds: timing.heartbeatMilliseconds,
                                                                 retryAfterMilliseconds: retry))))
                return
            }
            dropAgent(holder, reason: "was replaced by a new agent of the same name (silent for \(String(format: "%.1f", silent)) s)")
        }
        session.order = nextAgentOrder
        nextAgentOrder += 1
        put(session)
        logger.info("agent joined", metadata: ["agent": "\(hello.name)", "slots": "\(hello.slots)", "threads": "\(hello.threads)",
                                               "version": "\(hello.agentVersion)", "pid": "\(hello.pid)"])
        record(.agentJoined(session.status(now: now, draining: drained.contains(hello.name))))
        out.append(.send(identity, .welcome(AgentWelcome(accepted: true, heartbeatMilliseconds: timing.heartbeatMilliseconds))))
    }

    private mutating func heartbeat(_ beat: AgentHeartbeat, agent: inout AgentSession, now: Double) {
        agent.progress = [:]
        // An ended job's lease it had not listed: queued, the revoke drops it without a word
        // (its place is given back here); running, the agent asks again when it gives it up.
        if !agent.revokedUnlisted.isEmpty {
            for p in beat.inProgress {
                let attempt = AgentSession.Attempt(job: p.job, segment: p.segment, attempt: p.attempt)
                if agent.revokedUnlisted.removeValue(forKey: attempt) != nil, p.queued == true { agent.credit(1) }
            }
        }
        // Work taken back for lack of progress holds a slot until the agent stops listing it.
        agent.stalled.formIntersection(beat.inProgress.map { AgentSession.Attempt(job: $0.job, segment: $0.segment, attempt: $0.attempt) })
        adoptInFlight(beat, agent: &agent, now: now)
        for p in beat.inProgress {
            let ref = AgentSession.SegmentRef(job: p.job, segment: p.segment)
            guard agent.leases.contains(ref) else { continue }
            if p.queued == true {
                jobs[p.job]?.queued(p.segment, agent: agent.key, attempt: p.attempt, now: now)
                continue
            }
            let frames = max(0, min(p.frames, 1 << 30))
            // Only a growing frame count keeps a lease: a heartbeat alone does not.
            jobs[p.job]?.progress(p.segment, agent: agent.key, attempt: p.attempt, frames: frames,
                                  activity: p.activity.map { max(0, min($0, 1 << 30)) }, now: now)
            agent.progress[ref] = frames
        }
        inputArriving(beat, agent: &agent, now: now)
        agent.sampleRate(now: now)
    }

    /// A segment's input still on its way: the agent cannot list the leases it carries (or that
    /// wait behind it on the link) before it has arrived, and on a slow link that takes longer
    /// than the no-progress bound. While its bytes grow, those leases count as progressing.
    private mutating func inputArriving(_ beat: AgentHeartbeat, agent: inout AgentSession, now: Double) {
        defer { agent.receiving = beat.receiving }
        guard let bytes = beat.receiving, bytes != agent.receiving else { return }
        let listed = Set(beat.inProgress.map { AgentSession.SegmentRef(job: $0.job, segment: $0.segment) })
        for ref in agent.leases where !listed.contains(ref) {
            jobs[ref.job]?.arriving(ref.segment, agent: agent.key, now: now)
        }
    }

    /// Segments the agent encodes that this coordinator never leased to it: after a restart of
    /// the coordinator, the agents that reconnect are still encoding the segments the old one
    /// gave them. One still waiting for a lease is leased to that agent as the attempt it runs,
    /// so its result is accepted instead of the work being done twice; one leased elsewhere or
    /// done meanwhile stays a phantom (`watchPhantoms`), its result refused.
    private mutating func adoptInFlight(_ beat: AgentHeartbeat, agent: inout AgentSession, now: Double) {
        for p in beat.inProgress where p.queued != true {
            let ref = AgentSession.SegmentRef(job: p.job, segment: p.segment)
            let attempt = AgentSession.Attempt(job: p.job, segment: p.segment, attempt: p.attempt)
            // Never past its places: work it was given here since counts first (this one, already
            // watched as a phantom, holds its own place).
            let others = agent.occupied - (agent.phantoms[attempt] != nil ? 1 : 0)
            guard others < agent.capacity, !agent.leases.contains(ref), !agent.stalled.contains(attempt),
                  let job = jobs[p.job], !job.isBlocklisted(agent.name), job.segments.indices.contains(p.segment) else { continue }
            if job.adopt(p.segment, agent: agent.key, attempt: p.attempt, frames: min(p.frames, 1 << 30), now: now) {
                logger.info("adopted a segment in flight", metadata: ["job": "\(p.job)", "segment": "\(p.segment)", "attempt": "\(p.attempt)",
                                                                   "agent": "\(agent.name)", "frames": "\(p.frames)"])
            } else if job.segments[p.segment].adoptEarlierResult(agent: agent.key, attempt: p.attempt, now: now) {
                // An attempt the earlier run leased, still running on its agent, but leased again
                // here before that agent's first heartbeat (another agent reconnected first): the
                // agent well into it keeps it, and a new lease not started yet is taken back (QA:
                // a second agent encoded the segment again for 20 s, its result then ignored, and
                // `gopfarm agents` showed the first idle while it encoded).
                job.progress(p.segment, agent: agent.key, attempt: p.attempt, frames: max(0, min(p.frames, 1 << 30)), activity: p.activity, now: now)
                for lease in job.segments[p.segment].leases where lease.agent != agent.key && lease.frames == 0 && lease.activity == 0 {
                    withdrawUnstarted(lease, job: p.job, segment: p.segment)
                }
                logger.info("adopted a segment in flight over its new lease", metadata: [
                    "job": "\(p.job)", "segment": "\(p.segment)", "attempt": "\(p.attempt)", "agent": "\(agent.name)", "frames": "\(p.frames)"])
            } else {
                continue
            }
            agent.leases.insert(ref)
            agent.phantoms[attempt] = nil
        }
    }

    /// Takes back a lease that has not started (no frame, no work reported) because another
    /// agent runs the same segment further along: its agent drops it (a queued one gets its
    /// place back as credit; a running one frees its slot and asks again).
    private mutating func withdrawUnstarted(_ lease: SegmentStateMachine.Lease, job id: String, segment n: Int) {
        let why = "segment taken back: the agent that ran it before the restart still has it"
        if lease.queued {
            revokeQueued(lease, job: id, segment: n, why: why)
            return
        }
        guard let job = jobs[id] else { return }
        _ = job.segments[n].agentLost(lease.agent)
        release(AgentSession.SegmentRef(job: id, segment: n), of: lease)
        guard let identity = identities[lease.agent] else { return }
        logger.info(Logger.Message(stringLiteral: why), metadata: ["job": "\(id)", "segment": "\(n)", "from": "\(agents[identity]?.name ?? "?")"])
        out.append(.send(identity, .revoke(SegmentRevoke(job: id, segment: n, attempt: lease.attempt))))
    }

    /// Drops a lease from its agent's session (the segment ended another way).
    mutating func release(_ ref: AgentSession.SegmentRef, of lease: SegmentStateMachine.Lease) {
        guard let identity = identities[lease.agent], var holder = agents[identity], holder.leases.contains(ref) else { return }
        holder.leases.remove(ref)
        holder.progress[ref] = nil
        put(holder)
    }

    /// Work the agent lists that is not its lease: a queued one it should have dropped (the
    /// revoke was lost, or crossed this heartbeat) is revoked again; a running one that stops making progress holds its
    /// slot for good and counts as stalled, so an agent hung on such work is known to be stuck.
    private mutating func watchPhantoms(_ beat: AgentHeartbeat, agent: inout AgentSession, now: Double) {
        var seen: Set<AgentSession.Attempt> = []
        for p in beat.inProgress {
            let ref = AgentSession.SegmentRef(job: p.job, segment: p.segment)
            let attempt = AgentSession.Attempt(job: p.job, segment: p.segment, attempt: p.attempt)
            guard !holdsLease(ref, attempt: p.attempt, agent: agent), !agent.stalled.contains(attempt) else { continue }
            if p.queued == true {
                // No credit with it: the first revoke gave that place back already (it may only
                // be this heartbeat that crossed it); a reconnection's request restores any lost.
                out.append(.send(agent.identity, .revoke(SegmentRevoke(job: p.job, segment: p.segment, attempt: p.attempt))))
                continue
            }
            seen.insert(attempt)
            // Its steps of work where the agent reports them (frames in as well as out).
            let work = p.activity ?? p.frames
            if let old = agent.phantoms[attempt], work <= old.frames {
                if now - old.since > timing.leaseSeconds { agent.stalled.insert(attempt) }
            } else {
                agent.phantoms[attempt] = (work, now)
            }
        }
        agent.phantoms = agent.phantoms.filter { seen.contains($0.key) }
    }

    /// Whether the agent's lease of `ref` is this attempt. Another attempt of the same segment
    /// that it lists (an earlier run's, which no adoption took over) is not its lease: running,
    /// it holds a slot and is watched as a phantom (seed 69327 of the chaos runs: a copy hung on
    /// an agent, unseen, while the lease queued behind it waited for good).
    private func holdsLease(_ ref: AgentSession.SegmentRef, attempt: Int, agent: AgentSession) -> Bool {
        guard agent.leases.contains(ref) else { return false }
        guard let job = jobs[ref.job], job.segments.indices.contains(ref.segment),
              let lease = job.segments[ref.segment].leases.first(where: { $0.agent == agent.key }) else { return true }
        return lease.attempt == attempt
    }

    /// The first heartbeat after a reconnection: leases of the old connection it does not list
    /// never reached the agent (or were dropped by it) and go back to the queue at once, instead
    /// of waiting for the stall bound.
    private mutating func requeueUnlisted(_ beat: AgentHeartbeat, agent: AgentSession) {
        var agent = agent
        let listed = Set(beat.inProgress.map { AgentSession.SegmentRef(job: $0.job, segment: $0.segment) })
        for ref in agent.unconfirmed.sorted(by: { ($0.job, $0.segment) < ($1.job, $1.segment) })
        where agent.leases.contains(ref) && !listed.contains(ref) {
            agent.leases.remove(ref)
            agent.progress[ref] = nil
            guard let job = jobs[ref.job], job.segments.indices.contains(ref.segment) else { continue }
            if job.segments[ref.segment].agentLost(agent.key) {
                job.markRequeued(ref.segment)
                requeued(ref, reason: "\(agent.name) reconnected without it")
            }
        }
        agent.unconfirmed = []
        put(agent)
    }

    private mutating func accept(_ result: SegmentResult, check: ResultCheck, receivedAt: Date, from identity: Data, now: Double) {
        guard var agent = agents[identity] else { return }
        let ref = AgentSession.SegmentRef(job: result.job, segment: result.segment)
        if !holdsAnotherAttempt(ref, agent: agent, attempt: result.attempt) {
            agent.release(ref, attempt: result.attempt)
            put(agent)
        }
        guard let job = jobs[result.job], job.segments.indices.contains(result.segment) else {
            // Its job ended (cancelled, or failed) while the agent worked on it: nothing wrong
            // with the agent, so no rejected message and no warning.
            if endedJobs.contains(result.job) {
                logger.debug("dropped a result for a job that has ended", metadata: ["agent": "\(agent.name)", "job": "\(result.job.prefix(40))"])
                return
            }
            count { $0.rejectedMessages += 1 }
            logger.warning("rejected a result for an unknown segment", metadata: ["agent": "\(agent.name)", "job": "\(result.job.prefix(40))", "segment": "\(result.segment)"])
            return
        }
        let n = result.segment
        // Finished while this coordinator was down (it never leased it): a segment still waiting
        // for a lease takes the result as that attempt's, as a segment in flight is adopted.
        if job.segments[n].isPending, job.segments[n].mayAdopt(agent: agent.key, attempt: result.attempt), !job.isBlocklisted(agent.name),
           job.adopt(n, agent: agent.key, attempt: result.attempt, frames: result.frames, now: now) {
            logger.info("adopted a segment finished while the coordinator was away", metadata: [
                "job": "\(job.id)", "segment": "\(n)", "attempt": "\(result.attempt)", "agent": "\(agent.name)"])
        } else if !job.isBlocklisted(agent.name), job.segments[n].adoptEarlierResult(agent: agent.key, attempt: result.attempt, now: now) {
            logger.info("adopted a segment finished while the coordinator was away, over its new lease", metadata: [
                "job": "\(job.id)", "segment": "\(n)", "attempt": "\(result.attempt)", "agent": "\(agent.name)"])
        }
        if case .reject(let why) = job.segments[n].decideResult(agent: agent.key, attempt: result.attempt) {
            count { $0.rejectedMessages += 1 }
            logger.info("ignored a result", metadata: ["agent": "\(agent.name)", "job": "\(job.id)", "segment": "\(n)", "why": "\(why)"])
            return
        }
        switch check {
        case .notChecked:
            preconditionFailure("a result the core takes must be checked first (wantsResult)")
        case .spoolFailed(let message):
            logger.error("cannot store a result", metadata: ["job": "\(job.id)", "segment": "\(n)", "error": "\(message)"])
            finish(job.id, .failed(message))
        case .invalid(let kind, let message):
            count { $0.rejectedMessages += 1 }
            logger.warning("rejected an invalid result", metadata: ["agent": "\(agent.name)", "job": "\(job.id)", "segment": "\(n)", "error": "\(message)"])
            segmentFailed(ref, agent: agent, attempt: result.attempt, message: message, kind: kind)
        case .spooled(let path):
            let started = job.segments[n].leases.first { $0.attempt == result.attempt }?.started
            // The losing copies' agents no longer hold the segment: their work, while they still
            // list it, is watched as a phantom (it holds a slot; hung, it makes the agent stuck).
            for other in job.segments[n].accept(agent: agent.key, attempt: result.attempt) {
                release(AgentSession.SegmentRef(job: job.id, segment: n), of: other)
            }
            guard var agent = agents[identity] else { return }  // as the losers' release left it
            let seconds = started.map { now - $0 } ?? (result.decodeSeconds + result.encodeSeconds)
            let completed = CompletedSegment(result: result, path: path, agent: agent.name,
                                             leasedAt: receivedAt.addingTimeInterval(-seconds), finishedAt: receivedAt)
            job.complete(n, with: completed, seconds: seconds)
            agent.segmentsDone += 1
            agent.framesDone += result.frames
            put(agent)
            count {
                $0.completions += 1
                $0.framesCompleted += result.frames
            }
            record(.completed(job: job.id, segment: completed, seconds: seconds))
            logger.debug("segment done", metadata: ["job": "\(job.id)", "segment": "\(n)", "agent": "\(agent.name)", "frames": "\(result.frames)"])
            if job.isComplete { finishCompleted(job.id) }
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

    /// A failed attempt: the job's rules decide (requeue, keep running, fail the job).
    mutating func segmentFailed(_ ref: AgentSession.SegmentRef, agent: AgentSession, attempt: Int, message: String,
                                kind: SegmentStateMachine.FailureKind) {
        guard let job = jobs[ref.job] else { return }
        let wasBlocklisted = job.isBlocklisted(agent.name)
        let outcome = job.segmentFailed(ref.segment, agentKey: agent.key, agentName: agent.name, attempt: attempt, message: message, kind: kind)
        if outcome != .ignore {
            count { $0.failures += 1 }
            record(.segmentFailed(job: job.id, segment: ref.segment, attempt: attempt, agent: agent.name, message: message))
            if !wasBlocklisted, job.isBlocklisted(agent.name) {  // once, when it happens
                logger.warning("agent blocklisted for this job", metadata: ["job": "\(job.id)", "agent": "\(agent.name)"])
            }
        }
        switch outcome {
        case .failJob(let sentence):
            logger.error("segment failed for good", metadata: ["job": "\(job.id)", "segment": "\(ref.segment)", "error": "\(message)"])
            finish(job.id, .failed(sentence))
        case .requeue:
            requeued(ref, reason: "failed on \(agent.name): \(message)")
        case .keepRunning, .ignore:
            break
        }
    }

    mutating func requeued(_ ref: AgentSession.SegmentRef, reason: String) {
        count { $0.requeues += 1 }
        record(.requeued(job: ref.job, segment: ref.segment, reason: reason))
        logger.warning("segment requeued", metadata: ["job": "\(ref.job)", "segment": "\(ref.segment)", "why": "\(reason)"])
    }

    static func versionSentence(_ version: Int) -> String {
        "protocol version \(version) is not supported; this coordinator speaks version \(WireProtocol.version) (run the same gopfarm release on agents and coordinator)"
    }

    static let revokedSentence = "this agent's key was revoked by ops (gopfarm agents allow KEY lets it join again)"

    /// Ops revoked the key: each agent using it hears goodbye (it exits) and its leases go back
    /// to the queue now, not when its heartbeats stop.
    mutating func revoke(key: String) {
        revokedKeys.insert(key)
        for agent in agents.values.filter({ $0.publicKey == key }).sorted(by: { $0.order < $1.order }) {
            out.append(.send(agent.identity, .goodbye(Self.revokedSentence)))
            dropAgent(agent, reason: "key revoked")
        }
    }

    /// The agent is gone: its leases go back to the queue (unless another lease still runs).
    mutating func dropAgent(_ agent: AgentSession, reason: String) {
        for ref in agent.leases {
            guard let job = jobs[ref.job] else { continue }
            if job.segments[ref.segment].agentLost(agent.key) {
                job.markRequeued(ref.segment)
                requeued(ref, reason: "\(agent.name) \(reason)")
            }
        }
        removeAgent(agent.identity)
        record(.agentLeft(name: agent.name, reason: reason))
        logger.info("agent gone", metadata: ["agent": "\(agent.name)", "why": "\(reason)"])
    }
}

extension AgentMessage {
    /// The wire type it came as (for logs).
    var wireType: String {
        switch self {
        case .hello: AgentHello.type
        case .request: SegmentRequest.type
        case .heartbeat: AgentHeartbeat.type
        case .result: SegmentResult.type
        case .failure: SegmentFailure.type
        case .goodbye: AgentGoodbye.type
        case .part: WirePart.type
        }
    }
}
