import Foundation
import GopfarmBench
import GopfarmCoordinator
import Testing

@Suite("Bench runner")
struct BenchRunnerTests {
    /// Answers with a fixture job per size, and remembers what it was asked.
    final class RecordedFarm: BenchFarm, @unchecked Sendable {  // `asked` guarded by `lock`
        let lock = NSLock()
        var asked: [Int] = []
        let failAt: Int?
        init(failAt: Int? = nil) { self.failAt = failAt }

        func run(input: BenchInput, agents: Int) async throws -> BenchJobRecord {
            lock.withLock { asked.append(agents) }
            if agents == failAt { throw BenchError.jobFailed(agents: agents, job: "j", reason: "an agent crashed") }
            return BenchFixture.record(agents: agents)
        }
    }

    /// Collects the runner's callbacks.
    final class Heard: @unchecked Sendable {  // guarded by `lock`
        let lock = NSLock()
        var rows: [Int] = []
        var results = 0
        func row(_ n: Int) { lock.withLock { rows.append(n) } }
        func result() { lock.withLock { results += 1 } }
    }

    @Test func everySizeRepeatedInOrder() async throws {
        let farm = RecordedFarm()
        let plan = BenchPlan(agentCounts: [1, 2, 4], repeats: 2, settings: BenchFixture.settings)
        let input = BenchInput(path: "/media/in.mp4", seconds: 40)
        let heard = Heard()
        let start = BenchResult(mode: .local, input: input.path, inputSeconds: 40, plan: plan)
        let result = try await BenchRunner(plan: plan, farm: farm).run(
            inputs: [1: input, 2: input, 4: input], into: start,
            finished: { _ in heard.result() }, sized: { row, _ in heard.row(row.agents) })
        #expect(farm.asked == [1, 1, 2, 2, 4, 4])
        #expect(heard.rows == [1, 2, 4] && heard.results == 6)
        #expect(result.runs.map(\.round) == [1, 2, 1, 2, 1, 2])
        #expect(result.sizes.map(\.runs) == [2, 2, 2])
    }

    @Test func aFailedJobStopsTheBench() async throws {
        let farm = RecordedFarm(failAt: 2)
        let plan = BenchPlan(agentCounts: [1, 2, 4], settings: BenchFixture.settings)
        let input = BenchInput(path: "/media/in.mp4", seconds: 40)
        let start = BenchResult(mode: .local, input: input.path, inputSeconds: 40, plan: plan)
        await #expect(throws: BenchError.jobFailed(agents: 2, job: "j", reason: "an agent crashed")) {
            _ = try await BenchRunner(plan: plan, farm: farm).run(inputs: [1: input, 2: input, 4: input], into: start)
        }
        #expect(farm.asked == [1, 2])
        #expect(BenchError.jobFailed(agents: 2, job: "j", reason: "an agent crashed").description
                == "the job with 2 agents (j) failed: an agent crashed")
    }
}
