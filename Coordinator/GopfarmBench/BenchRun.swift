/// One benchmark job: the size it ran at, which repetition, on what input, and what it gave.
public struct BenchRun: Codable, Sendable, Equatable {
    public var agents: Int
    /// 1…K of `--repeat K`.
    public var round: Int
    public var input: BenchInput
    public var job: BenchJobRecord
    public var figures: BenchFigures

    public init(agents: Int, round: Int, input: BenchInput, job: BenchJobRecord, figures: BenchFigures) {
        self.agents = agents
        self.round = round
        self.input = input
        self.job = job
        self.figures = figures
    }

    /// The work done, for throughput: output frames when known, else seconds of input.
    var work: Double {
        if let frames = job.outputFrames, frames > 0 { return Double(frames) }
        return input.seconds
    }
}
