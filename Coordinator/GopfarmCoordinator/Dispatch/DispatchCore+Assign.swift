import Foundation
import GopfarmCommon
import Logging

/// Filling free slots: pending segments first (the job `Scheduler` picks), then prefetched work
/// waiting on another agent, then stragglers to re-run speculatively.
extension DispatchCore {
    /// Hands segments to agents that asked for work, in join order. Every idle slot is filled
    /// before any prefetch place, so an agent never queues a segment another agent could start now.
    mutating func assign(now: Double) {
        guard !jobs.isEmpty, !wanting.isEmpty else { return }
        // Leases per owner (fair share, when owners compete) and the agents holding each job's
        // segments (for jobs with `maxAgents`): only counted when they can matter, since a tick
        // with 1,000 busy agents must not walk every lease.
        var runningByOwner: [String: Int] = [:]
        var holders: [String: Set<Data>] = [:]
        let limited = jobs.values.contains { $0.job.maxAgents != nil }
        if jobs.count > 1 || limited {
            for (identity, agent) in agents {
                for ref in agent.leases {
                    runningByOwner[jobs[ref.job]?.job.owner ?? "", default: 0] += 1
                    if limited, jobs[ref.job]?.job.maxAgents != nil { holders[ref.job, default: []].insert(identity) }
                }
            }
        }
        func allowed(_ job: JobRuntime, _ identity: Data) -> Bool {
            guard let agent = agents[identity], job.canRun(with: agent.hello.encoders) else { return false }
            guard let limit = job.job.maxAgents else { return true }
            let holding = holders[job.job.id] ?? []
            return holding.contains(identity) || holding.count < limit
        }
        var queuedCache: [String: [Int]] = [:], stragglerCache: [String: [Int]] = [:]
        var idle: [(identity: Data, name: String)] = []
        for prefetching in [false, true] {
            if prefetching {
                guard !wanting.isEmpty else { break }
            }
            if prefetching, jobs.values.contains(where: \.hasPending) {
                // Connected agents still without work (they have not asked yet: a farm starting,
                // an agent just joined) count as idle slots too: no prefetch place while one of
                // them could take the job's next segment, or a thousand agents joining at once
                // would see the first half queue two segments each and the rest wait a round.
                idle = agents.values.filter { $0.occupied == 0 && !drained.contains($0.name) }.map { ($0.identity, $0.name) }
            }
            for identity in wanting.map({ (agents[$0]!.order, $0) }).sorted(by: { $0.0 < $1.0 }).map(\.1) {
                // Work taken back for lack of progress still holds its slot on the agent; an agent
                // stuck on such work gets nothing queued behind it.
                while let agent = agents[identity], agent.credits > 0, !drained.contains(agent.name), !(prefetching && agent.isStuck),
                      agent.occupied < (prefetching ? agent.capacity : agent.hello.slots) {
                    let candidates = jobOrder.compactMap { id -> Scheduler.Candidate? in
                        guard let job = jobs[id], job.hasPending, !job.isBlocklisted(agent.name), allowed(job, identity) else { return nil }
                        if prefetching, idle.contains(where: { $0.identity != identity && !job.isBlocklisted($0.name) && allowed(job, $0.identity) }) {
                            return nil
                        }
                        return Scheduler.Candidate(job: id, priority: job.job.priority, owner: job.job.owner, sequence: job.sequence)
                    }
                    let next: (job: String, segment: Int, speculative: Bool)
                    if let pick = Scheduler.pick(candidates, runningByOwner: runningByOwner) {
                        guard let job = jobs[pick.job], let n = job.nextPending() else { break }
                        split(job, n)
                        next = (pick.job, n, false)
                        runningByOwner[pick.owner, default: 0] += 1
                    } else if !prefetching, let (id, n) = queuedElsewhere(for: agent, cache: &queuedCache, allowed: { allowed($0, identity) }) {
                        // Waiting behind another agent's work while this one idles: take it over.
                        lease(job: id, segment: n, to: identity, speculative: false, now: now)
                        holders[id, default: []].insert(identity)
                        withdrawQueued(job: id, segment: n, keeping: agent.key)
                        continue
                    } else if !prefetching, let (id, n) = straggler(for: agent, now: now, cache: &stragglerCache, allowed: { allowed($0, identity) }) {
                        next = (id, n, true)
                    } else {
                        break
                    }
                    lease(job: next.job, segment: next.segment, to: identity, speculative: next.speculative, now: now)
                    holders[next.job, default: []].insert(identity)
                }
            }
        }
    }

    /// A segment whose only lease waits prefetched on another agent, for an agent with an idle
    /// slot. `cache` keeps each job's candidates for one `assign` call (1,000 idle agents at the
    /// end of a job look at them once, not once each).
    private func queuedElsewhere(for agent: AgentSession, cache: inout [String: [Int]], allowed: (JobRuntime) -> Bool) -> (String, Int)? {
        for id in jobOrder {
            guard let job = jobs[id], !job.hasPending, !job.isBlocklisted(agent.name), allowed(job) else { continue }
            let list = cache[id] ?? job.running.sorted().filter { job.segments[$0].waitsQueued }
            cache[id] = list
            if let n = list.first(where: { job.segments[$0].waitsQueued && job.segments[$0].leases[0].agent != agent.key }) {
                return (id, n)
            }
        }
        return nil
    }

    /// Drops the queued lease(s) of segment `n` other than `keeping`'s and tells their agents,
    /// which drop it from their queues and get the place back as credit.
    private mutating func withdrawQueued(job id: String, segment n: Int, keeping: String) {
        guard let job = jobs[id] else { return }
        for lease in job.segments[n].leases where lease.agent != keeping && lease.queued {
            revokeQueued(lease, job: id, segment: n, why: "queued segment moved to an idle agent")
        }
    }

    /// Takes a prefetched, not started lease back from its agent (which drops it from its queue
    /// and gets the place back as credit); the segment is requeued unless another lease runs.
    mutating func revokeQueued(_ lease: SegmentStateMachine.Lease, job id: String, segment n: Int, why: String) {
        guard let job = jobs[id] else { return }
        let pending = job.segments[n].agentLost(lease.agent)
        guard let identity = identities[lease.agent], var holder = agents[identity] else { return }
        let ref = AgentSession.SegmentRef(job: id, segment: n)
        holder.release(ref, attempt: lease.attempt)
        holder.credit(1)
        put(holder)
        record(.moved(job: id, segment: n, attempt: lease.attempt, from: holder.name))
        logger.info(Logger.Message(stringLiteral: why), metadata: ["job": "\(id)", "segment": "\(n)", "from": "\(holder.name)"])
        out.append(.send(identity, .revoke(SegmentRevoke(job: id, segment: n, attempt: lease.attempt))))
        if pending {
            job.markRequeued(n)
            requeued(ref, reason: "\(holder.name) \(why)")
        }
    }

    /// A straggler to re-run on the agent's idle slot (`StragglerPolicy`); `cache` keeps each
    /// job's overdue segments, oldest first, for one `assign` call.
    private func straggler(for agent: AgentSession, now: Double, cache: inout [String: [Int]], allowed: (JobRuntime) -> Bool) -> (String, Int)? {
        let policy = StragglerPolicy(factor: timing.speculateFactor, minimumSeconds: timing.speculateAfterSeconds)
        for id in jobOrder {
            guard let job = jobs[id], !job.hasPending, !job.isBlocklisted(agent.name), allowed(job) else { continue }
            let list = cache[id] ?? {
                let running = job.running.map {
                    StragglerPolicy.Running(segment: $0, leases: job.segments[$0].leases, expectedFrames: job.job.plan.segments[$0].expectedFrames)
                }
                return policy.overdue(running: running, secondsPerFrame: job.secondsPerFrame, now: now)
            }()
            cache[id] = list
            // A segment copied earlier in this call holds two leases now: no longer a straggler.
            if let n = list.first(where: { job.segments[$0].leases.count == 1 && job.segments[$0].leases[0].agent != agent.key }) {
                return (id, n)
            }
        }
        return nil
    }

    /// Cuts segment `n` before its first lease when it is longer than its share of the work left
    /// on the slots the job can use (`DispatchSplitter`).
    private mutating func split(_ job: JobRuntime, _ n: Int) {
        // Most hand-outs of a long job are far from a split: tell them without walking the agents.
        guard job.mightSplit(n, slotsAtMost: connectedSlots) else { return }
        let slots = agents.values.filter { !drained.contains($0.name) && !job.isBlocklisted($0.name) }.map(\.hello.slots)
        let usable = job.job.maxAgents.map { slots.sorted(by: >).prefix($0).reduce(0, +) } ?? slots.reduce(0, +)
        guard let split = job.split(n, slots: usable) else { return }
        let parts = Array(job.job.plan.segments[n...(n + 1)])
        logger.info("segment split", metadata: ["job": "\(job.id)", "segment": "\(n)", "frames": "\(parts[0].expectedFrames)+\(parts[1].expectedFrames)",
                                                 "slots": "\(usable)"])
        record(.split(job: job.id, split, parts: parts))
    }

    /// Leases segment `n` to the agent; the shell cuts and sends it (`.assign`).
    private mutating func lease(job id: String, segment n: Int, to identity: Data, speculative: Bool, now: Double) {
        guard let job = jobs[id], var agent = agents[identity] else { return }
        let planned = job.job.plan.segments[n]
        let attempt = job.segments[n].assign(to: agent.key, now: now)
        job.markLeased(n)
        var settings = job.job.settings
        settings.threads = agent.hello.threads
        var assignment = SegmentAssignment(
            job: id, segment: n, attempt: attempt, startPTS: planned.startPTS, endPTS: planned.endPTS,
            expectedFrames: planned.expectedFrames, settings: settings, frameRate: job.job.frameRate,
            payloadSHA256: "", leaseMilliseconds: Int(timing.leaseSeconds * 1000),
            analysis: job.job.analysis, mode: job.job.mode == .encode ? nil : job.job.mode)
        if job.job.plan.disorderedFrames != nil { assignment.damagedTimestamps = true }
        agent.credits -= 1
        agent.leases.insert(AgentSession.SegmentRef(job: id, segment: n))
        put(agent)
        count {
            $0.assignments += 1
            if speculative { $0.speculative += 1 }
        }
        if speculative {
            logger.info("straggler re-run speculatively", metadata: ["job": "\(id)", "segment": "\(n)", "agent": "\(agent.name)"])
        }
        out.append(.assign(identity, assignment, agent: agent.name, speculative: speculative))
    }

    // MARK: - Time

    /// Silent agents are dropped, leases without progress taken back, and jobs no agent can run failed.
    /// An agent in the middle of a large message gets three times the silence limit: on a slow
    /// link that drops packets (512 kbit/s behind a small queue) TCP's retransmission backoff
    /// stalls a transfer for seconds, and each drop restarted the whole result.
    mutating func expire(now: Double) {
        for agent in agents.values {
            let limit = timing.agentTimeoutSeconds * (agent.sendingParts ? 3 : 1)
            guard now - agent.lastSeen > limit else {
                if !agent.revokedUnlisted.isEmpty { giveBackUnlisted(agent, now: now) }
                continue
            }
            dropAgent(agent, reason: "silent for \(limit) s\(agent.sendingParts ? " in the middle of a message" : "")")
        }
        for id in jobOrder {
            guard let job = jobs[id] else { continue }
            for (n, lease, bound) in job.stalledLeases(now: now, timing: timing) {
                guard jobs[id] != nil else { break }  // an earlier stall failed the job
                count { $0.leaseExpiries += 1 }
                let ref = AgentSession.SegmentRef(job: id, segment: n)
                guard let identity = identities[lease.agent], let found = agents[identity] else {
                    // Its agent is gone (its leases were requeued then): drop the stale lease.
                    _ = job.segments[n].agentLost(lease.agent)
                    if job.segments[n].isPending { job.markRequeued(n); requeued(ref, reason: "lease expired") }
                    continue
                }
                var agent = found
                // Held in a slot only if the agent's last heartbeat listed it running: a lease it
                // never started (queued, or dropped) makes it no more stuck than before.
                let listedRunning = agent.progress[ref] != nil
                agent.release(ref, attempt: lease.attempt)
                if listedRunning {
                    agent.stalled.insert(AgentSession.Attempt(job: id, segment: n, attempt: lease.attempt))
                } else {
                    // Never listed: the assignment did not reach it (or it dropped it), so the
                    // place the agent asked for is still free, and the agent still waits for it.
                    // The place is given back and the lease revoked in case it arrives later
                    // (seed 10140 of the chaos runs: a live agent with no credit and no work, its
                    // job pending for good).
                    agent.credit(1)
                    out.append(.send(identity, .revoke(SegmentRevoke(job: id, segment: n, attempt: lease.attempt))))
                }
                put(agent)
                logger.warning("lease taken back: no progress", metadata: [
                    "job": "\(id)", "segment": "\(n)", "agent": "\(agent.name)", "frames": "\(lease.frames)",
                    "seconds": "\(String(format: "%.1f", now - lease.progressed))", "bound": "\(String(format: "%.1f", bound))"])
                segmentFailed(ref, agent: agent, attempt: lease.attempt, message: JobRuntime.stallMessage, kind: .transient)
            }
        }
        takeBackQueuedWork()
        failJobsNoAgentCanRun()
    }

    /// An ended job's leases the agent still has not listed after the lease bound never reached
    /// it (or were dropped unseen): the places it asked for are given back (seed 38601 of the
    /// chaos runs: an assignment lost on a cut, its job cancelled before the lease could stall,
    /// left a live agent with no credit and no work while the next job waited for good).
    private mutating func giveBackUnlisted(_ found: AgentSession, now: Double) {
        let due = found.revokedUnlisted.filter { now - $0.value > timing.leaseSeconds }.keys
        guard !due.isEmpty else { return }
        var agent = found
        for attempt in due {
            agent.revokedUnlisted[attempt] = nil
            agent.credit(1)
        }
        put(agent)
    }

    /// Work queued on an agent that cannot start it (every slot stuck on work without progress)
    /// or may no longer run that job (blocklisted) goes back to the queue: else its heartbeats,
    /// listing it queued, would hold it there forever (and, with `maxAgents`, the job with it).
    private mutating func takeBackQueuedWork() {
        for agent in agents.values where !agent.leases.isEmpty {
            for ref in agent.leases.sorted(by: { ($0.job, $0.segment) < ($1.job, $1.segment) }) {
                guard let job = jobs[ref.job], agent.isStuck || job.isBlocklisted(agent.name),
                      let lease = job.segments[ref.segment].leases.first(where: { $0.agent == agent.key }), lease.queued else { continue }
                revokeQueued(lease, job: ref.job, segment: ref.segment,
                             why: agent.isStuck ? "is stuck: queued segment taken back" : "is blocklisted for the job: queued segment taken back")
            }
        }
    }

    /// A job must never wait on agents that will not take it: when every connected agent is
    /// blocklisted for it or stuck, it fails with a sentence saying so.
    private mutating func failJobsNoAgentCanRun() {
        guard !agents.isEmpty else { return }
        let connected = agents.values.map { JobRuntime.AgentView(name: $0.name, stuck: $0.isStuck, encoders: $0.hello.encoders) }
        for id in jobOrder {
            guard let job = jobs[id], let why = job.whyNoAgentCanRun(connected: connected) else { continue }
            logger.error("no agent can run the job", metadata: ["job": "\(id)", "why": "\(why)"])
            finish(id, .failed(why))
        }
    }
}
