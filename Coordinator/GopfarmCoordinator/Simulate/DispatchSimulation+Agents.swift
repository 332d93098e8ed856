import Foundation
import GopfarmCommon

/// The simulated agents' side: what gopfarm-agent does with each message and timer.
extension DispatchSimulation {
    /// A new connection: hello (the welcome brings the credit request and the outbox).
    mutating func connect(_ i: Int) {
        agents[i].connection += 1
        agents[i].welcomed = false
        agents[i].lastHeard = now
        sendToCore(i, .hello(agents[i].hello()), bytes: 300)
    }

    /// A message up the agent's link; results carry their encoded bytes. Lost while cut off.
    mutating func sendToCore(_ i: Int, _ message: AgentMessage, bytes: Int) {
        var agent = agents[i]
        guard agent.alive else { return }
        if agent.partitioned(at: now) {
            if case .result(let r, _, _) = message { agents[i].outbox.append(r) }
            return
        }
        let sending = max(agent.uplinkFree, now)
        agent.uplinkFree = sending + Double(bytes) * 8 / agent.group.linkBitsPerSecond
        agents[i] = agent
        var arrival = agent.uplinkFree + agent.group.latencySeconds + (chaos?.jitter(&rng) ?? 0)
        for t in Self.partArrivals(bytes: bytes, from: sending + agent.group.latencySeconds, until: arrival) {
            queue.push(.toCore(agent: i, connection: agent.connection, .part, corrupt: false), at: t)
        }
        var corrupt = false
        if case .result(let r, _, _) = message, let c = chaos {
            corrupt = rng.chance(c.corruptResults) || r.payloadSHA256 == ChaosSchedule.forgedMark
            if rng.chance(c.lateResults) { arrival += Double.random(in: 1..<40, using: &rng) }
            if rng.chance(c.duplicateResults) {
                queue.push(.toCore(agent: i, connection: agent.connection, message, corrupt: corrupt), at: arrival + Double.random(in: 0..<5, using: &rng))
            }
        }
        queue.push(.toCore(agent: i, connection: agent.connection, message, corrupt: corrupt), at: arrival)
    }

    mutating func receive(_ delivery: Delivery, agent i: Int, connection: Int) {
        guard agents[i].alive, agents[i].connection == connection, !agents[i].partitioned(at: now) else { return }
        agents[i].lastHeard = now
        switch delivery {
        case .reply(.welcome(let welcome)):
            guard welcome.accepted else { agents[i].alive = false; return }
            agents[i].welcomed = true
            let free = agents[i].capacity - agents[i].running.count - agents[i].queue.count
            if free > 0 { sendToCore(i, .request(slots: free), bytes: 100) }
            let outbox = agents[i].outbox
            agents[i].outbox = []
            for result in outbox { sendToCore(i, .result(result, check: .notChecked, receivedAt: Date(timeIntervalSince1970: now)), bytes: 1000) }
        case .reply(.heartbeatAck), .reply(.partReceived):
            break
        case .reply(.goodbye(let reason)):
            if reason == AgentGoodbye.unknownAgent { connect(i) } else { agents[i].alive = false }
        case .reply(.revoke(let revoke)):
            agents[i].queue.removeAll { $0.job == revoke.job && $0.segment == revoke.segment && $0.attempt == revoke.attempt }
        case .assignment(let assignment):
            if agents[i].running.count < agents[i].group.slots { start(assignment, agent: i) } else { agents[i].queue.append(assignment) }
        }
    }

    private mutating func start(_ assignment: SegmentAssignment, agent i: Int) {
        guard let job = spec.jobs.first(where: { $0.id == assignment.job }) else { return }
        let seconds = job.segments[assignment.segment].seconds / max(agents[i].speed, 1e-6)
        let stuck = agents[i].stalls
        agents[i].running.append(SimulatedAgent.Work(assignment: assignment, started: now, seconds: seconds, stuck: stuck))
        if !stuck {
            queue.push(.segmentDone(agent: i, incarnation: agents[i].incarnation, job: assignment.job, segment: assignment.segment,
                                    attempt: assignment.attempt), at: now + seconds)
        }
    }

    mutating func segmentDone(agent i: Int, incarnation: Int, job id: String, segment: Int, attempt: Int) {
        guard agents[i].alive, agents[i].incarnation == incarnation,
              let w = agents[i].running.firstIndex(where: { $0.assignment.job == id && $0.assignment.segment == segment && $0.assignment.attempt == attempt }),
              let job = spec.jobs.first(where: { $0.id == id }) else { return }
        let work = agents[i].running.remove(at: w)
        agents[i].busySeconds += work.seconds
        if let t = timelineIndex[AttemptKey(job: id, segment: segment, attempt: attempt)] {
            timeline[t].started = work.started
            timeline[t].ended = now
        }
        let planned = job.segments[segment]
        let a = work.assignment
        let result = SegmentResult(job: id, segment: segment, attempt: attempt, frames: a.expectedFrames, firstPTS: a.startPTS,
                                   lastPTS: a.startPTS + Int64(a.expectedFrames - 1), reorderDepth: 0, corruptFrames: [],
                                   payloadSHA256: "", payloadBytes: planned.returnedBytes, decodeSeconds: 0, encodeSeconds: work.seconds,
                                   requestSlots: 1)
        sendToCore(i, .result(result, check: .notChecked, receivedAt: Date(timeIntervalSince1970: now)), bytes: planned.returnedBytes)
        if !agents[i].queue.isEmpty { start(agents[i].queue.removeFirst(), agent: i) }
    }

    /// Every second: reconnect after silence (as gopfarm-agent does), else report progress.
    mutating func heartbeat(_ i: Int, incarnation: Int) {
        guard agents[i].alive, agents[i].incarnation == incarnation else { return }
        if now - agents[i].lastHeard > spec.agentSilenceSeconds {
            connect(i)
        } else if agents[i].welcomed {
            let beat = agents[i].heartbeat(now: now)
            sendToCore(i, .heartbeat(beat), bytes: 100 + 60 * beat.inProgress.count)
        }
        queue.push(.heartbeat(agent: i, incarnation: incarnation), at: now + spec.heartbeatSeconds)
    }

    mutating func apply(_ fault: ChaosSchedule.Fault) {
        monitor?.fault(fault)
        switch fault {
        case .crash(let i, let restartAfter):
            agents[i].alive = false
            agents[i].running = []
            agents[i].queue = []
            agents[i].outbox = []
            if let restartAfter { queue.push(.join(i), at: now + restartAfter) }
        case .stall(let i):
            agents[i].stalls = true
            for w in agents[i].running.indices { agents[i].running[w].stuck = true }
            // Stuck segments never finish: their completion events find them stuck and do nothing.
        case .slow(let i, let factor):
            agents[i].speed = agents[i].group.speed / factor
        case .partition(let i, let seconds):
            agents[i].partitionedUntil = now + seconds
        case .drain(let i, let on):
            feed(.drain(agent: agents[i].name, on: on))
        case .cancel(let n):
            feed(.cancel(job: spec.jobs[n].id))
        case .forge(let i, let n, let segment, let attempt):
            let job = spec.jobs[n]
            guard job.segments.indices.contains(segment) else { return }
            let forged = SegmentResult(job: job.id, segment: segment, attempt: attempt, frames: job.segments[segment].frames, firstPTS: 0,
                                       lastPTS: 0, reorderDepth: 0, corruptFrames: [], payloadSHA256: ChaosSchedule.forgedMark,
                                       payloadBytes: 0, decodeSeconds: 0, encodeSeconds: 0)
            sendToCore(i, .result(forged, check: .notChecked, receivedAt: Date(timeIntervalSince1970: now)), bytes: 100)
        case .restartCoordinator:
            restartCoordinator()
        }
    }

    /// The coordinator process restarts: a new core rebuilt from what the store recorded; agents
    /// find out from the silence (or an "unknown agent" goodbye) and reconnect.
    private mutating func restartCoordinator() {
        core = DispatchCore(timing: timing, logger: logger)
        coordinatorFree = now
        for job in spec.jobs where submitted[job.id] != nil && outcomes[job.id] == nil {
            feed(.addJob(Self.dispatchJob(job), restored: stored[job.id] ?? [:], openError: nil))
        }
        monitor?.restarted(core: core, stored: stored)
    }
}
