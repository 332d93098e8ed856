import Foundation

/// A seeded schedule of trouble for a simulated farm: crashes (with or without a restart),
/// stuck and slow agents, network cuts, drains, cancels, coordinator restarts, forged results,
/// and, on every result, chances of a duplicate, a late delivery or a damaged payload; jitter on
/// every message reorders them. The same seed gives the same schedule on every machine.
struct ChaosSchedule {
    enum Fault: Sendable {
        case crash(Int, restartAfter: Double?)
        case stall(Int)
        case slow(Int, factor: Double)
        case partition(Int, seconds: Double)
        case drain(Int, on: Bool)
        case cancel(Int)
        case forge(Int, job: Int, segment: Int, attempt: Int)
        case restartCoordinator
    }

    struct Timed: Sendable {
        var at: Double
        var fault: Fault
    }

    /// Marks a forged result's payload hash: its payload never matches.
    static let forgedMark = "forged"

    var faults: [Timed] = []
    var duplicateResults = 0.0
    var lateResults = 0.0
    var corruptResults = 0.0
    var maxJitter = 0.0

    func jitter(_ rng: inout SeededRandom) -> Double {
        maxJitter > 0 ? Double.random(in: 0..<maxJitter, using: &rng) : 0
    }

    /// A small farm (2-6 agents, 1-3 jobs of 3-30 segments) and its trouble, from `seed`. At least
    /// one agent is never crashed, stalled or cut for good, so every job can end.
    static func random(seed: UInt64) -> (SimulationSpec, ChaosSchedule) {
        var rng = SeededRandom(seed: seed)
        let agentCount = Int.random(in: 2...6, using: &rng)
        var groups: [SimulationSpec.AgentGroup] = []
        for _ in 0..<agentCount {
            groups.append(SimulationSpec.AgentGroup(count: 1, slots: Int.random(in: 1...3, using: &rng), prefetch: Int.random(in: 0...2, using: &rng),
                                                    speed: Double.random(in: 0.5...2, using: &rng),
                                                    linkBitsPerSecond: [20e6, 100e6, 1e9].randomElement(using: &rng)!,
                                                    latencySeconds: Double.random(in: 0.0001...0.05, using: &rng),
                                                    joinAt: rng.chance(0.3) ? Double.random(in: 0...30, using: &rng) : 0))
        }
        var jobs: [SimulationSpec.Job] = []
        for j in 0..<Int.random(in: 1...3, using: &rng) {
            let segments = (0..<Int.random(in: 3...30, using: &rng)).map { _ in
                SimulationSpec.Segment(frames: Int.random(in: 1...300, using: &rng), seconds: Double.random(in: 0.5...20, using: &rng),
                                       sentBytes: Int.random(in: 10_000...5_000_000, using: &rng), returnedBytes: Int.random(in: 1_000...1_000_000, using: &rng))
            }
            var job = SimulationSpec.Job(id: "job\(j)", segments: segments, maxAgents: rng.chance(0.2) ? Int.random(in: 1...3, using: &rng) : nil,
                                         submitAt: j == 0 ? 0 : Double.random(in: 0...60, using: &rng))
            job.priority = [.low, .normal, .high].randomElement(using: &rng)!
            job.owner = ["ann", "bob"].randomElement(using: &rng)!
            // Half the jobs let the dispatcher split segments for the slots (`DispatchSplitter`).
            if rng.chance(0.5) { job.minimumSplitFrames = Int.random(in: 1...60, using: &rng) }
            jobs.append(job)
        }
        var spec = SimulationSpec(agents: groups, jobs: jobs)
        spec.coordinator.secondsPerMessage = 0.0001

        var chaos = ChaosSchedule()
        chaos.duplicateResults = rng.chance(0.5) ? 0.1 : 0
        chaos.lateResults = rng.chance(0.5) ? 0.1 : 0
        chaos.corruptResults = rng.chance(0.3) ? 0.05 : 0
        chaos.maxJitter = rng.chance(0.5) ? 0.5 : 0
        let safe = Int.random(in: 0..<agentCount, using: &rng)
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            let at = Double.random(in: 0...120, using: &rng)
            var agent = Int.random(in: 0..<agentCount, using: &rng)
            let fault: Fault
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                if agent == safe { agent = (agent + 1) % agentCount }
                fault = .crash(agent, restartAfter: rng.chance(0.5) ? Double.random(in: 1...30, using: &rng) : nil)
            case 1:
                if agent == safe { agent = (agent + 1) % agentCount }
                fault = .stall(agent)
            case 2: fault = .slow(agent, factor: Double.random(in: 2...20, using: &rng))
            case 3: fault = .partition(agent, seconds: Double.random(in: 1...20, using: &rng))
            case 4:
                fault = .drain(agent, on: true)
                chaos.faults.append(Timed(at: at + Double.random(in: 1...30, using: &rng), fault: .drain(agent, on: false)))
            case 5: fault = .cancel(Int.random(in: 0..<jobs.count, using: &rng))
            case 6: fault = .restartCoordinator
            default:
                let job = Int.random(in: 0..<jobs.count, using: &rng)
                fault = .forge(agent, job: job, segment: Int.random(in: 0..<jobs[job].segments.count, using: &rng), attempt: Int.random(in: 1...4, using: &rng))
            }
            chaos.faults.append(Timed(at: at, fault: fault))
        }
        return (spec, chaos)
    }
}
