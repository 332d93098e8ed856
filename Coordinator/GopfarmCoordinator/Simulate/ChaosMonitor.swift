import Foundation

/// The invariants a chaos run checks after every step of the dispatcher:
/// - every segment of a finished job is accepted exactly once, and the job ends once;
/// - no job waits forever: it finishes or fails with a reason (checked at the end);
/// - a cancelled or ended job gets no more work;
/// - an agent blocklisted for a job (3 failures there) gets no segment of it;
/// - no agent holds more leases than its slots and prefetch places;
/// - after a coordinator restart, the core holds exactly what the store recorded.
struct ChaosMonitor {
    let spec: SimulationSpec
    private(set) var violations: [String] = []
    private var accepted: [String: [Int: Int]] = [:]
    private var ended: [String: Int] = [:]
    /// Segments the dispatcher split, per job: each adds one to what must be accepted.
    private var splits: [String: Int] = [:]
    private var failuresByAgent: [String: [String: Int]] = [:]
    private var cancelled: Set<String> = []
    private var step = 0
    private var lastFault = "none"

    init(spec: SimulationSpec) { self.spec = spec }

    mutating func submitted(_ job: String) {}

    mutating func fault(_ fault: ChaosSchedule.Fault) { lastFault = "\(fault)" }

    mutating func input(_ input: DispatchInput, core: DispatchCore) {
        step += 1
        if case .cancel(let id) = input, core.jobs[id] != nil { cancelled.insert(id) }
    }

    mutating func action(_ action: DispatchAction, core: DispatchCore, now: Double) {
        switch action {
        case .assign(_, let a, let agent, _):
            if cancelled.contains(a.job) { violate("job \(a.job) was cancelled but segment \(a.segment) went to \(agent)", now) }
            if ended[a.job] != nil { violate("job \(a.job) ended but segment \(a.segment) went to \(agent)", now) }
            if failuresByAgent[a.job]?[agent, default: 0] ?? 0 >= JobRuntime.blocklistAfterFailures {
                violate("\(agent) is blocklisted for \(a.job) but got segment \(a.segment)", now)
            }
        case .record(.completed(let job, let segment, _)):
            let n = segment.result.segment
            accepted[job, default: [:]][n, default: 0] += 1
            if accepted[job]![n]! > 1 { violate("segment \(n) of \(job) accepted \(accepted[job]![n]!) times", now) }
        case .record(.segmentFailed(let job, _, _, let agent, _)):
            failuresByAgent[job, default: [:]][agent, default: 0] += 1
        case .record(.split(let job, _, _)):
            splits[job, default: 0] += 1
        case .finished(let id, let outcome):
            ended[id, default: 0] += 1
            if ended[id]! > 1 { violate("job \(id) ended \(ended[id]!) times", now) }
            if case .completed(let segments, _) = outcome {
                let count = (spec.jobs.first { $0.id == id }?.segments.count).map { $0 + splits[id, default: 0] } ?? -1
                if segments.count != count { violate("job \(id) finished with \(segments.count) of \(count) segments", now) }
                for n in 0..<max(count, 0) where accepted[id]?[n] != 1 {
                    violate("job \(id) finished but segment \(n) was accepted \(accepted[id]?[n] ?? 0) times", now)
                }
                for (n, s) in segments.enumerated() where s.result.segment != n {
                    violate("job \(id)'s segment \(n) is stitched from segment \(s.result.segment)", now)
                }
            }
        default:
            break
        }
    }

    mutating func check(core: DispatchCore, now: Double) {
        for agent in core.agents.values where agent.leases.count > agent.capacity {
            violate("\(agent.name) holds \(agent.leases.count) leases for \(agent.capacity) places", now)
        }
    }

    /// The new core must hold what the store recorded, no more, no less. Blocklists are not
    /// stored: they start over.
    mutating func restarted(core: DispatchCore, stored: [String: [Int: CompletedSegment]]) {
        failuresByAgent = [:]
        for (id, job) in core.jobs where Set(job.completed.keys) != Set((stored[id] ?? [:]).keys) {
            violate("after a restart job \(id) has \(job.completed.count) segments done, the store \(stored[id]?.count ?? 0)", 0)
        }
    }

    mutating func finish(jobs: [String], outcomes: [String: DispatchOutcome], now: Double) {
        for id in jobs where outcomes[id] == nil { violate("job \(id) never ended", now) }
    }

    private mutating func violate(_ what: String, _ now: Double) {
        guard violations.count < 20 else { return }
        violations.append("t=\(String(format: "%.2f", now)) step \(step) (last fault: \(lastFault)): \(what)")
    }
}
