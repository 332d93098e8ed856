import Foundation
import GopfarmCommon
import GopfarmCoordinator

/// Predicting a bench's makespans with the dispatcher's simulator: the cost model comes from the
/// baseline run's recorded timings (each segment's agent seconds spread over its frames, bytes
/// per frame, extraction speed, the serial part), the plan for each N from the real planner on
/// the input's key frames, and the hosts from the bench's link.
public struct BenchPrediction: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var agents: Int
        public var measured: Double?
        public var predicted: Double
        public var utilization: Double
        /// predicted / measured − 1.
        public var error: Double? { measured.map { predicted / $0 - 1 } }

        public init(agents: Int, measured: Double?, predicted: Double, utilization: Double) {
            self.agents = agents
            self.measured = measured
            self.predicted = predicted
            self.utilization = utilization
        }
    }

    public var model: CostModel
    public var rows: [Row]

    public init(model: CostModel, rows: [Row]) {
        self.model = model
        self.rows = rows
    }

    /// Predicts every measured size and `extra` ones beyond, from the bench's baseline run.
    public static func predict(_ bench: BenchResult, extra: [Int] = []) throws -> BenchPrediction {
        guard let base = bench.runs.filter({ $0.agents == bench.baseline }).first ?? bench.runs.first else {
            throw BenchError.usage("the bench holds no run to take costs from")
        }
        let probe: MediaProbe
        do { probe = try MediaProbe(path: base.input.path) } catch {
            throw BenchError.input("cannot read the bench's input \(base.input.path) for its key frames: \(error)")
        }
        let target = bench.plan.segmentSeconds ?? 10
        // The baseline's plan as it ran: with the dispatcher's splits, replayed.
        let basePlan = try SegmentPlanner.splitting(
            try SegmentPlanner(targetSeconds: target, slots: base.agents).plan(probe.index, timeBase: probe.videoTimeBase),
            base.job.timings.planSplits ?? [], index: probe.index)
        let model = costModel(base, plan: basePlan)
        let splitFloor = SegmentPlanner.cutsAtAnyFrame(probe.index)
            ? DispatchSplitter.minimumFrames(targetSeconds: target, framesPerSecond: PreparedJob.frameRate(of: probe).doubleValue) : nil
        let hosts = bench.hosts?.linkBitsPerSecond.map(Double.init) ?? 10e9
        var rows: [Row] = []
        let measured = Dictionary(bench.sizes.map { ($0.agents, $0.makespan) }, uniquingKeysWith: { a, _ in a })
        for n in Set(measured.keys).union(extra).sorted() {
            let plan = try SegmentPlanner(targetSeconds: target, slots: n).plan(probe.index, timeBase: probe.videoTimeBase)
            let outcome = FarmPrediction.simulate(plan: plan, model: model, hosts: SimulationSpec.AgentGroup(count: n, linkBitsPerSecond: hosts),
                                                  minimumSplitFrames: splitFloor)
            rows.append(Row(agents: n, measured: measured[n], predicted: outcome.makespan, utilization: outcome.utilization))
        }
        return BenchPrediction(model: model, rows: rows)
    }

    /// The costs one run recorded: its accepted attempts' agent seconds, spread evenly over the
    /// frames of their segments in `plan` (the plan that run used), and its bytes and serial part.
    public static func costModel(_ run: BenchRun, plan: SegmentPlan) -> CostModel {
        let timings = run.job.timings
        let done = Dictionary(timings.attempts.filter { $0.outcome == "done" }.map { ($0.segment, $0) }, uniquingKeysWith: { a, _ in a })
        let frames = plan.segments.reduce(0) { $0 + $1.expectedFrames }
        let totalSeconds = done.values.reduce(0.0) { $0 + ($1.agentSeconds ?? 0) }
        let uniform = frames > 0 ? totalSeconds / Double(frames) : 0
        var perFrame: [Double] = Array(repeating: uniform, count: plan.skippedLeadingFrames)
        for s in plan.segments {
            let seconds = done[s.index]?.agentSeconds.map { $0 / Double(max(1, s.expectedFrames)) } ?? uniform
            perFrame += Array(repeating: seconds, count: s.expectedFrames)
        }
        let sent = done.values.reduce(0) { $0 + $1.sentBytes }
        let returned = done.values.reduce(0) { $0 + ($1.returnedBytes ?? 0) }
        let extract = timings.attempts.reduce(0.0) { $0 + $1.extractSeconds }
        let allSent = timings.attempts.reduce(0) { $0 + $1.sentBytes }
        return CostModel(secondsPerFrame: perFrame, sentBytesPerFrame: Double(sent) / Double(max(1, frames)),
                         returnedBytesPerFrame: Double(returned) / Double(max(1, frames)),
                         serialSeconds: max(0, run.figures.makespan - run.figures.dispatch),
                         extractBytesPerSecond: extract > 0 ? Double(allSent) / extract : 1.5e9)
    }
}
