import Foundation

/// One seeded chaos run: a random small farm and its trouble (`ChaosSchedule.random`), simulated
/// with the dispatcher's core, and the invariants it broke (`ChaosMonitor`). Replayed exactly by
/// `gopfarm simulate --chaos --seed N`.
public struct ChaosRun: Sendable {
    public var seed: UInt64
    public var violations: [String]
    public var jobs: [String]
    public var virtualSeconds: Double
    public var faults: Int
    public var diagnosis: [String]

    public static func run(seed: UInt64) -> ChaosRun {
        let (spec, chaos) = ChaosSchedule.random(seed: seed)
        var timing = DispatchTiming()
        timing.leaseSeconds = 20
        var simulation = DispatchSimulation(spec: spec, timing: timing, chaos: chaos, seed: seed)
        // Ten virtual hours: a job still running then waits forever.
        let outcome = simulation.run(limit: 36_000)
        _ = spec
        return ChaosRun(seed: seed, violations: outcome.violations, jobs: outcome.jobs.map { "\($0.id): \($0.state)" },
                        virtualSeconds: outcome.virtualSeconds, faults: chaos.faults.count, diagnosis: outcome.stuck)
    }

    /// The command that replays this seed.
    public var replay: String { "gopfarm simulate --chaos --seed \(seed)" }
}
