/// What ends a bench early, each shown as one sentence (`gopfarm: error: …`).
public enum BenchError: Error, CustomStringConvertible, Equatable {
    /// A wrong option or combination of options (exit status 64, as other usage errors).
    case usage(String)
    /// A benchmark job ended failed or cancelled: which size, and the job's own sentence.
    case jobFailed(agents: Int, job: String, reason: String)
    /// The farm could not be started or reached (serve, agents, the lab).
    case farm(String)
    /// The input could not be prepared (weak scaling's cut copies).
    case input(String)

    public var description: String {
        switch self {
        case let .usage(text), let .farm(text), let .input(text): text
        case let .jobFailed(agents, job, reason): "the job with \(agents) agent\(agents == 1 ? "" : "s") (\(job)) failed: \(reason)"
        }
    }
}
