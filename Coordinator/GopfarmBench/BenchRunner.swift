import Foundation

/// The engine: for each size N of the plan (ascending), K times, the same job with
/// `maxAgents = N` on the farm; every figure comes from the job's record. It knows nothing of
/// how the farm was made (local processes, emulated hosts, a cluster).
public struct BenchRunner: Sendable {
    public let plan: BenchPlan
    public let farm: any BenchFarm

    public init(plan: BenchPlan, farm: any BenchFarm) {
        self.plan = plan
        self.farm = farm
    }

    /// Runs every job, in order: size after size, K runs each. `starting(N, round)` hears each
    /// job before it is submitted; `finished(result)` hears the result after each job (so a
    /// failure later still leaves what was measured); `sized(row, result)` hears a size's row
    /// once its last run is in.
    public func run(inputs: [Int: BenchInput], into start: BenchResult,
                    starting: @Sendable (Int, Int) -> Void = { _, _ in },
                    finished: @Sendable (BenchResult) -> Void = { _ in },
                    sized: @Sendable (BenchSize, BenchResult) -> Void = { _, _ in }) async throws -> BenchResult {
        var result = start
        for n in plan.agentCounts {
            guard let input = inputs[n] else { throw BenchError.input("no input prepared for \(n) agents") }
            for round in 1...max(1, plan.repeats) {
                try Task.checkCancellation()
                starting(n, round)
                let job = try await farm.run(input: input, agents: n)
                let figures = BenchFigures(timings: job.timings, agents: n, elapsed: nil, linkBytes: job.linkBytes)
                result.add(BenchRun(agents: n, round: round, input: input, job: job, figures: figures))
                finished(result)
            }
            if let row = result.sizes.first(where: { $0.agents == n }) { sized(row, result) }
        }
        if plan.scaling == .strong, result.sizes.count > 1 {
            result.prediction = try? BenchPrediction.predict(result, extra: [2 * plan.maxAgents, 4 * plan.maxAgents])
        }
        return result
    }

    /// The input of each size: the whole file under strong scaling; under weak scaling the first
    /// N/maxN of it (`InputCut`), written into `directory`.
    public static func inputs(for plan: BenchPlan, path: String, seconds: Double, directory: URL) throws -> [Int: BenchInput] {
        var out: [Int: BenchInput] = [:]
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        for n in plan.agentCounts {
            let share = plan.inputShare(agents: n)
            out[n] = share >= 1 ? BenchInput(path: path, seconds: seconds)
                : try InputCut.prefix(of: path, share: share, into: directory, name: "\(base)-\(n)-of-\(plan.maxAgents).mkv")
        }
        return out
    }
}
