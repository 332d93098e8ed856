import Foundation
import GopfarmCommon
import Logging

/// The dispatcher's decisions as a state machine: events in (`DispatchInput`, with the time as a
/// value), actions out (`DispatchAction`). It answers hellos, hands segments of any number of
/// jobs to free slots (pull; `Scheduler` picks the job), watches heartbeats and leases, re-runs
/// stragglers, moves prefetched work to idle agents, and decides on results and failures. No
/// sockets, threads, clocks or files: the ZeroMQ `Dispatcher` feeds it and carries out what it
/// returns, and `DispatchSimulation` drives the same core with a virtual clock.
///
/// A value type, but each job's `JobRuntime` is a class (see there: O(1) segment updates), so
/// a copy of a core shares its jobs; nothing copies one.
struct DispatchCore {
    let timing: DispatchTiming
    let logger: Logger
    var jobs: [String: JobRuntime] = [:]
    var jobOrder: [String] = []
    /// The last 256 jobs that ended: a result or failure an agent still sends for one is quietly
    /// dropped (its job was cancelled or failed while it worked), not counted as rejected.
    var endedJobs: [String] = []
    /// Connected agents by connection; change them with `put`/`removeAgent` only (indexes).
    private(set) var agents: [Data: AgentSession] = [:]
    /// Connections by agent key, and the agents with credit (asked for work): `assign` looks at
    /// those alone, so a tick costs the same with 10 or 1,000 busy agents.
    private(set) var identities: [String: Data] = [:]
    private(set) var wanting: Set<Data> = []
    /// The slots of every connected agent (a bound the splitter checks before it counts).
    private(set) var connectedSlots = 0
    var nextAgentOrder = 0
    var drained: Set<String> = []
    /// Agent public keys ops revoked while this coordinator runs: a CURVE session outlives the
    /// handshake that checked its key, so the core refuses the key's messages itself.
    var revokedKeys: Set<String> = []
    private(set) var counters = DispatchCounters()
    /// Jobs being resumed after a restart, and until when agents wait for them (`hello`).
    private(set) var resuming: Set<String> = []
    private var resumeDeadline = 0.0
    private var nextSequence = 0
    private var lastExpiryCheck = -Double.infinity
    /// Actions of the call in progress.
    var out: [DispatchAction] = []

    init(timing: DispatchTiming, logger: Logger) {
        self.timing = timing
        self.logger = logger
    }

    /// Takes one event at time `now` (monotonic seconds) and returns what to do, in order.
    mutating func handle(_ input: DispatchInput, now: Double) -> [DispatchAction] {
        switch input {
        case .agent(let identity, let publicKey, let version, let message):
            agentMessage(message, identity: identity, publicKey: publicKey, version: version, now: now)
        case .addJob(let job, let restored, let openError):
            add(job, restored: restored, openError: openError)
        case .cancel(let id):
            endResume(id)
            if jobs[id] != nil { finish(id, .cancelled) }
        case .resuming(let ids):
            resuming = ids
            resumeDeadline = now + timing.resumeGraceSeconds
            if !ids.isEmpty { logger.info("agents wait while jobs resume", metadata: ["jobs": "\(ids.count)"]) }
        case .resumeEnded(let id):
            endResume(id)
        case .extractionFailed(let id, let reason):
            if jobs[id] != nil { finish(id, .failed(reason)) }
        case .drain(let name, let on):
            if on { drained.insert(name) } else { drained.remove(name) }
            logger.info(on ? "agent draining" : "agent resumed", metadata: ["agent": "\(name)"])
        case .revokeKey(let key):
            revoke(key: key)
        case .allowKey(let key):
            revokedKeys.remove(key)
        case .unreachable(let identity):
            if let agent = agents[identity] { dropAgent(agent, reason: "unreachable") }
        case .tick:
            if now - lastExpiryCheck >= timing.expirySeconds {
                expire(now: now)
                lastExpiryCheck = now
            }
            assign(now: now)
        }
        let actions = out
        out = []
        return actions
    }

    /// Whether a result from this agent would be taken if it is valid: the shell validates and
    /// spools only those (a late or forged result costs no disk).
    func wantsResult(_ result: SegmentResult, from identity: Data) -> Bool {
        guard let agent = agents[identity], let job = jobs[result.job], job.segments.indices.contains(result.segment) else { return false }
        let segment = job.segments[result.segment]
        return segment.decideResult(agent: agent.key, attempt: result.attempt) == .accept || segment.mayAdopt(agent: agent.key, attempt: result.attempt)
            || segment.mayAdoptEarlierResult(agent: agent.key, attempt: result.attempt)
    }

    /// The job as dispatched, while it runs.
    func job(_ id: String) -> DispatchJob? { jobs[id]?.job }

    var isIdle: Bool { jobs.isEmpty }

    // MARK: - Jobs

    /// Whether an agent's hello waits: a restarted coordinator is still resuming jobs.
    func agentsWait(now: Double) -> Bool { !resuming.isEmpty && now < resumeDeadline }

    private mutating func endResume(_ id: String) {
        guard resuming.remove(id) != nil, resuming.isEmpty else { return }
        logger.info("every unfinished job resumed: agents are welcome")
    }

    private mutating func add(_ job: DispatchJob, restored: [Int: CompletedSegment], openError: String?) {
        endResume(job.id)
        if let openError {
            finish(job.id, .failed(openError))
            return
        }
        let runtime = JobRuntime(job: job, sequence: nextSequence, restored: restored)
        nextSequence += 1
        jobs[job.id] = runtime
        jobOrder.append(job.id)
        logger.info("job queued", metadata: ["job": "\(job.id)", "segments": "\(runtime.segments.count)",
                                             "restored": "\(restored.count)", "priority": "\(job.priority.rawValue)"])
        if runtime.isComplete { finishCompleted(job.id) }
    }

    mutating func finishCompleted(_ id: String) {
        guard let job = jobs[id] else { return }
        finish(id, .completed((0..<job.segments.count).map { job.completed[$0]! }, plan: job.job.plan))
    }

    /// Ends a job: outcome out, state dropped (memory stays flat however many jobs ran).
    mutating func finish(_ id: String, _ outcome: DispatchOutcome) {
        // Its leases leave their agents' sessions, and the agents are told (a revoke: a queued
        // segment is dropped, its place given back here as credit, as `revokeQueued` does; a
        // running one given up, its agent asking again for the slot it frees; one never listed
        // is watched until it is, or given back: `revokedUnlisted`).
        // Work they still list is watched as phantoms (held slots, stuck when hung), so a hung
        // copy of a finished job cannot wedge the next.
        if let job = jobs[id] {
            for n in job.running {
                for lease in job.segments[n].leases {
                    let ref = AgentSession.SegmentRef(job: id, segment: n)
                    let identity = identities[lease.agent]
                    if let identity, var holder = agents[identity], holder.leases.contains(ref) {
                        if lease.queued {
                            holder.credit(1)
                        } else if holder.progress[ref] == nil {
                            holder.revokedUnlisted[AgentSession.Attempt(job: id, segment: n, attempt: lease.attempt)] = lease.progressed
                        }
                        put(holder)
                    }
                    release(ref, of: lease)
                    if let identity {
                        out.append(.send(identity, .revoke(SegmentRevoke(job: id, segment: n, attempt: lease.attempt))))
                    }
                }
            }
        }
        jobs[id] = nil
        jobOrder.removeAll { $0 == id }
        endedJobs.append(id)
        if endedJobs.count > 256 { endedJobs.removeFirst(endedJobs.count - 256) }
        out.append(.record(.jobFinished(job: id, outcome: outcome)))
        out.append(.finished(job: id, outcome))
    }

    mutating func put(_ agent: AgentSession) {
        connectedSlots += agent.hello.slots - (agents[agent.identity]?.hello.slots ?? 0)
        agents[agent.identity] = agent
        identities[agent.key] = agent.identity
        if agent.credits > 0 { wanting.insert(agent.identity) } else { wanting.remove(agent.identity) }
    }

    mutating func removeAgent(_ identity: Data) {
        guard let agent = agents.removeValue(forKey: identity) else { return }
        connectedSlots -= agent.hello.slots
        if identities[agent.key] == identity { identities[agent.key] = nil }
        wanting.remove(identity)
    }

    mutating func record(_ event: DispatchEvent) { out.append(.record(event)) }

    mutating func count(_ change: (inout DispatchCounters) -> Void) { change(&counters) }

    // MARK: - Snapshot

    /// What the rest of the coordinator shows: progress per job, agents, counters.
    func snapshot(now: Double) -> DispatchSnapshot {
        var snapshot = DispatchSnapshot()
        var working: [String: Set<String>] = [:]
        var inFlightFrames: [String: Int] = [:]
        for agent in agents.values {
            for ref in agent.leases { working[ref.job, default: []].insert(agent.name) }
            for (ref, frames) in agent.progress { inFlightFrames[ref.job, default: 0] += frames }
        }
        for (id, job) in jobs {
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
        snapshot.agents = agents.values.sorted { $0.order < $1.order }.map { $0.status(now: now, draining: drained.contains($0.name)) }
        snapshot.counters = counters
        return snapshot
    }
}
