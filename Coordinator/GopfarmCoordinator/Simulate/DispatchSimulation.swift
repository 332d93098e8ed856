import Foundation
import GopfarmCommon
import Logging

/// A discrete-event simulation of a farm that drives the dispatcher's own `DispatchCore` with a
/// virtual clock: simulated agents (`SimulatedAgent`) behave as gopfarm-agent does on the wire,
/// links take time in proportion to the bytes they carry, and the coordinator's single loop is a
/// resource whose measured costs (extraction, messages) add up, so it shows where it becomes
/// the bottleneck. `ChaosSchedule` adds faults; `ChaosMonitor` checks invariants after each step.
struct DispatchSimulation {
    /// Indirect: the heap moves events around, and a boxed one is a pointer.
    indirect enum Event {
        case submit(Int)
        case join(Int)
        case toCore(agent: Int, connection: Int, AgentMessage, corrupt: Bool)
        case toAgent(agent: Int, connection: Int, Delivery)
        case segmentDone(agent: Int, incarnation: Int, job: String, segment: Int, attempt: Int)
        case heartbeat(agent: Int, incarnation: Int)
        /// The core's periodic tick (leases, stalls, stragglers).
        case clock
        /// A tick right after messages, as the real loop does once per turn.
        case tick
        /// The coordinator's loop is free: it takes the next message waiting for it.
        case coordinatorFree
        case fault(ChaosSchedule.Fault)
    }

    enum Delivery {
        case reply(AgentReply)
        case assignment(SegmentAssignment)
    }

    /// The farm simulated; a job's segments change when the dispatcher splits one (`split`).
    private(set) var spec: SimulationSpec
    let timing: DispatchTiming
    var core: DispatchCore
    var queue = EventQueue<Event>()
    var agents: [SimulatedAgent] = []
    var now = 0.0
    /// The coordinator loop is busy until then (it handles one thing at a time).
    var coordinatorFree = 0.0
    var nicFree = 0.0
    var tickPending = false
    /// Messages that reached the coordinator while its loop was busy, in arrival order.
    var inbox: [(agent: Int, connection: Int, message: AgentMessage, corrupt: Bool)] = []
    var inboxHead = 0
    var wakePending = false
    /// What the job store would hold: accepted segments per job, and outcomes.
    var stored: [String: [Int: CompletedSegment]] = [:]
    var outcomes: [String: DispatchOutcome] = [:]
    var submitted: [String: Double] = [:]
    var firstAssigned: [String: Double] = [:]
    var finishedAt: [String: Double] = [:]
    var timeline: [SimulationOutcome.Attempt] = []
    struct AttemptKey: Hashable {
        var job: String
        var segment: Int
        var attempt: Int
    }
    var timelineIndex: [AttemptKey: Int] = [:]
    var busy = SimulationOutcome.Busy()
    var monitor: ChaosMonitor?
    var chaos: ChaosSchedule?
    var rng: SeededRandom
    let logger: Logger

    init(spec: SimulationSpec, timing: DispatchTiming = DispatchTiming(), chaos: ChaosSchedule? = nil, seed: UInt64 = 1) {
        self.spec = spec
        self.timing = timing
        self.chaos = chaos
        rng = SeededRandom(seed: seed)
        var logger = Logger(label: "gopfarm.simulate", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        self.logger = logger
        core = DispatchCore(timing: timing, logger: logger)
        if chaos != nil { monitor = ChaosMonitor(spec: spec) }
        var i = 0
        for group in spec.agents {
            for _ in 0..<group.count {
                agents.append(SimulatedAgent(index: i, group: group))
                queue.push(.join(i), at: group.joinAt)
                i += 1
            }
        }
        for (n, job) in spec.jobs.enumerated() { queue.push(.submit(n), at: job.submitAt) }
        for fault in chaos?.faults ?? [] { queue.push(.fault(fault.fault), at: fault.at) }
        queue.push(.clock, at: 0)
    }

    /// Runs until every job ended or `limit` virtual seconds passed.
    mutating func run(limit: Double = 86_400 * 30) -> SimulationOutcome {
        while outcomes.count < spec.jobs.count, let (time, event) = queue.pop() {
            guard time <= limit else { break }
            now = max(now, time)
            handle(event)
        }
        monitor?.finish(jobs: spec.jobs.map(\.id), outcomes: outcomes, now: now)
        return outcome()
    }

    private mutating func handle(_ event: Event) {
        switch event {
        case .submit(let n):
            submit(n)
        case .join(let i):
            agents[i].alive = true
            agents[i].incarnation += 1
            connect(i)
            queue.push(.heartbeat(agent: i, incarnation: agents[i].incarnation), at: now + spec.heartbeatSeconds)
        case .toCore(let agent, let connection, let message, let corrupt):
            // The coordinator's loop handles one message at a time, in arrival order.
            inbox.append((agent, connection, message, corrupt))
            if !wakePending {
                wakePending = true
                queue.push(.coordinatorFree, at: max(now, coordinatorFree))
            }
        case .coordinatorFree:
            wakePending = false
            guard now >= coordinatorFree else {
                wakePending = true
                queue.push(.coordinatorFree, at: coordinatorFree)
                return
            }
            guard inboxHead < inbox.count else { return }
            let next = inbox[inboxHead]
            inboxHead += 1
            if inboxHead > 1024, inboxHead * 2 > inbox.count {
                inbox.removeFirst(inboxHead)
                inboxHead = 0
            }
            coordinatorFree = now + spec.coordinator.secondsPerMessage
            busy.coordinator += spec.coordinator.secondsPerMessage
            deliverToCore(agent: next.agent, connection: next.connection, next.message, corrupt: next.corrupt)
            if inboxHead < inbox.count {
                wakePending = true
                queue.push(.coordinatorFree, at: max(now, coordinatorFree))
            }
        case .toAgent(let agent, let connection, let delivery):
            receive(delivery, agent: agent, connection: connection)
        case .segmentDone(let agent, let incarnation, let job, let segment, let attempt):
            segmentDone(agent: agent, incarnation: incarnation, job: job, segment: segment, attempt: attempt)
        case .heartbeat(let agent, let incarnation):
            heartbeat(agent, incarnation: incarnation)
        case .clock:
            // The loop ticks after the messages waiting for it (a turn reads them first).
            guard now >= coordinatorFree, inboxHead == inbox.count else {
                queue.push(.clock, at: max(coordinatorFree, now) + spec.coordinator.secondsPerMessage)
                return
            }
            feed(.tick)
            if outcomes.count < spec.jobs.count { queue.push(.clock, at: now + timing.expirySeconds) }
        case .tick:
            tickPending = false
            feed(.tick)
        case .fault(let fault):
            apply(fault)
        }
    }

    // MARK: - Coordinator

    private mutating func submit(_ n: Int) {
        let job = spec.jobs[n]
        submitted[job.id] = now
        monitor?.submitted(job.id)
        feed(.addJob(Self.dispatchJob(job), restored: [:], openError: nil))
    }

    private mutating func deliverToCore(agent: Int, connection: Int, _ message: AgentMessage, corrupt: Bool) {
        let identity = SimulatedAgent.identity(agent, connection)
        var message = message
        if case .result(let result, _, let at) = message {
            let check: ResultCheck = !core.wantsResult(result, from: identity) ? .notChecked
                : corrupt ? .invalid(.transient, "payload does not match its size or SHA-256")
                : .spooled(URL(fileURLWithPath: "/sim/\(result.job)/\(result.segment)"))
            message = .result(result, check: check, receivedAt: at)
        }
        let version = WireProtocol.version
        feed(.agent(identity: identity, publicKey: agents[agent].publicKey, version: version, .message(message)))
        // Work is handed out on the next turn of the loop; a heartbeat frees no slot.
        if case .heartbeat = message { return }
        if !tickPending {
            tickPending = true
            queue.push(.tick, at: now)
        }
    }

    /// Feeds the core and carries out its actions, as the ZeroMQ shell does.
    mutating func feed(_ input: DispatchInput) {
        monitor?.input(input, core: core)
        let actions = core.handle(input, now: now)
        for action in actions {
            monitor?.action(action, core: core, now: now)
            switch action {
            case .send(let identity, let reply):
                sendToAgent(identity, .reply(reply), bytes: 200)
            case .assign(let identity, let assignment, _, let speculative):
                assign(assignment, to: identity, speculative: speculative)
            case .record(let event):
                if case .completed(let job, let segment, _) = event { stored[job, default: [:]][segment.result.segment] = segment }
                if case .split(let job, let split, _) = event { self.split(job, split) }
            case .finished(let id, let outcome):
                outcomes[id] = outcome
                finishedAt[id] = now
            }
        }
        monitor?.check(core: core, now: now)
    }

    private mutating func assign(_ assignment: SegmentAssignment, to identity: Data, speculative: Bool) {
        guard let job = spec.jobs.first(where: { $0.id == assignment.job }) else { return }
        let bytes = job.segments[assignment.segment].sentBytes
        let extract = Double(bytes) / spec.coordinator.extractBytesPerSecond
        coordinatorFree = max(coordinatorFree, now) + extract
        busy.coordinator += extract
        if firstAssigned[assignment.job] == nil { firstAssigned[assignment.job] = now }
        if let owner = SimulatedAgent.owner(of: identity) {
            timelineIndex[AttemptKey(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt)] = timeline.count
            timeline.append(SimulationOutcome.Attempt(agent: owner.agent, job: assignment.job, segment: assignment.segment,
                                                      attempt: assignment.attempt, assigned: now, speculative: speculative))
        }
        sendToAgent(identity, .assignment(assignment), bytes: bytes, after: coordinatorFree)
    }

    /// A message down an agent's link: through the coordinator's NIC and the host's link, then
    /// the latency. Lost when the agent is gone or cut off.
    private mutating func sendToAgent(_ identity: Data, _ delivery: Delivery, bytes: Int, after: Double? = nil) {
        guard let (i, connection) = SimulatedAgent.owner(of: identity), agents.indices.contains(i) else { return }
        let start = after ?? now
        let bits = Double(bytes) * 8
        nicFree = max(nicFree, start) + bits / spec.coordinator.nicBitsPerSecond
        busy.nic += bits / spec.coordinator.nicBitsPerSecond
        var agent = agents[i]
        agent.downlinkFree = max(agent.downlinkFree, start) + bits / agent.group.linkBitsPerSecond
        agents[i] = agent
        let arrival = max(nicFree, agent.downlinkFree) + agent.group.latencySeconds + (chaos?.jitter(&rng) ?? 0)
        guard agent.alive, !agent.partitioned(at: start) else { return }
        // Parts arrive while the message crosses the agent's link: its last `bits / link` seconds
        // (before that it may wait its turn at the coordinator's NIC, and nothing arrives).
        for t in Self.partArrivals(bytes: bytes, from: arrival - bits / agent.group.linkBitsPerSecond, until: arrival) {
            queue.push(.toAgent(agent: i, connection: connection, .reply(.partReceived)), at: t)
        }
        queue.push(.toAgent(agent: i, connection: connection, delivery), at: arrival)
    }

    /// Wire protocol 2 sends a message over `WireParts.partBytes` as parts, and each part that
    /// arrives proves the sender is there: while a large message is on a slow link, its receiver
    /// hears of the sender once a second (a part's arrival, not every one of them).
    static func partArrivals(bytes: Int, from start: Double, until arrival: Double) -> [Double] {
        guard bytes > WireParts.partBytes, arrival - start > 1 else { return [] }
        return Array(stride(from: start + 1, to: arrival, by: 1))
    }

    // MARK: - Results

    func outcome() -> SimulationOutcome {
        var result = SimulationOutcome()
        result.slots = spec.slotCount
        result.agents = spec.agentCount
        for job in spec.jobs {
            let state: String = switch outcomes[job.id] {
            case .completed?: "done"
            case .failed(let why)?: "failed: \(why)"
            case .cancelled?: "cancelled"
            case nil: "unfinished"
            }
            result.jobs.append(SimulationOutcome.Job(id: job.id, state: state, submitted: submitted[job.id] ?? 0,
                                                     firstAssigned: firstAssigned[job.id], finished: finishedAt[job.id]))
        }
        result.serialSeconds = spec.coordinator.serialSeconds
        result.busy = busy
        result.busy.agents = agents.map(\.busySeconds)
        result.timeline = timeline
        result.counters = core.counters
        result.violations = monitor?.violations ?? []
        result.virtualSeconds = now
        if outcomes.count < spec.jobs.count { result.stuck = diagnosis() }
        return result
    }

    /// Where unfinished jobs stand: their segments not done, and every agent as core and host see it.
    func diagnosis() -> [String] {
        var lines: [String] = []
        for (id, job) in core.jobs {
            for (n, segment) in job.segments.enumerated() where !segment.isDone {
                lines.append("\(id) segment \(n): \(segment.state) attempts \(segment.attempts)")
            }
            lines.append("\(id): pending \(job.hasPending) running \(job.running.sorted()) blocklist \(job.failuresByAgent)")
        }
        for agent in core.agents.values.sorted(by: { $0.order < $1.order }) {
            lines.append("core: \(agent.name) credits \(agent.credits) leases \(agent.leases.map { "\($0.job)/\($0.segment)" }.sorted()) stalled \(agent.stalled.count) drained \(core.drained.contains(agent.name)) last seen \(agent.lastSeen)")
        }
        for a in agents {
            lines.append("host: \(a.name) alive \(a.alive) connection \(a.connection) welcomed \(a.welcomed) running \(a.running.map { "\($0.assignment.job)/\($0.assignment.segment)#\($0.assignment.attempt)\($0.stuck ? " stuck" : "")" }) queue \(a.queue.map { "\($0.job)/\($0.segment)#\($0.attempt)" }) stalls \(a.stalls)")
        }
        return lines
    }

    /// A segment the dispatcher split: its costs are shared by the parts in proportion to their
    /// frames, and the job's later segments move up one, as in the store (a restarted
    /// coordinator in the simulation gets the split plan, as the service replays its splits).
    private mutating func split(_ id: String, _ split: PlanSplit) {
        guard let j = spec.jobs.firstIndex(where: { $0.id == id }), spec.jobs[j].segments.indices.contains(split.segment) else { return }
        let whole = spec.jobs[j].segments[split.segment]
        func part(_ frames: Int) -> SimulationSpec.Segment {
            let share = Double(frames) / Double(max(1, whole.frames))
            return SimulationSpec.Segment(frames: frames, seconds: whole.seconds * share, sentBytes: Int(Double(whole.sentBytes) * share),
                                          returnedBytes: Int(Double(whole.returnedBytes) * share))
        }
        spec.jobs[j].segments[split.segment] = part(split.frames)
        spec.jobs[j].segments.insert(part(whole.frames - split.frames), at: split.segment + 1)
    }

    /// The `DispatchJob` of a simulated job: a plan of its segments' frame counts.
    static func dispatchJob(_ job: SimulationSpec.Job) -> DispatchJob {
        var segments: [PlannedSegment] = []
        var frame = 0
        for (n, s) in job.segments.enumerated() {
            let first = Int64(frame)
            frame += max(1, s.frames)
            segments.append(PlannedSegment(index: n, primingPacket: Int(first), startPacket: Int(first), endPacket: frame,
                                           startPTS: first, endPTS: Int64(frame), expectedFrames: max(1, s.frames), firstPTS: first,
                                           lastPTS: Int64(frame - 1), containsCorruptPackets: false))
        }
        let plan = SegmentPlan(segments: segments, timeBase: Rational(1, 30), skippedLeadingFrames: 0, totalFrames: frame)
        var dispatchJob = DispatchJob(id: job.id, plan: plan, settings: EncodeSettings(), frameRate: Rational(30, 1),
                                      spool: URL(fileURLWithPath: "/sim"), priority: job.priority, owner: job.owner, maxAgents: job.maxAgents)
        dispatchJob.splitter = job.minimumSplitFrames.map { DispatchSplitter(minimumFrames: $0, cut: Self.splitFrames) }
        return dispatchJob
    }

    /// A simulated plan (one packet per frame, every frame a key frame) with one segment cut.
    static func splitFrames(_ plan: SegmentPlan, _ split: PlanSplit) -> SegmentPlan? {
        guard plan.segments.indices.contains(split.segment) else { return nil }
        let s = plan.segments[split.segment]
        guard split.frames > 0, split.frames < s.expectedFrames else { return nil }
        let cut = s.startPTS + Int64(split.frames)
        var first = s, second = s
        first.endPacket = Int(cut)
        first.endPTS = cut
        first.expectedFrames = split.frames
        first.lastPTS = cut - 1
        second.primingPacket = Int(cut)
        second.startPacket = Int(cut)
        second.startPTS = cut
        second.firstPTS = cut
        second.expectedFrames = s.expectedFrames - split.frames
        var plan = plan
        plan.segments.replaceSubrange(split.segment...split.segment, with: [first, second])
        for n in plan.segments.indices { plan.segments[n].index = n }
        return plan
    }
}
