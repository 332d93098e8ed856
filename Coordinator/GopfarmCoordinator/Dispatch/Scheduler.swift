import GopfarmCommon
/// Which job a free slot works on: priority first, then fair share between producers (the
/// owner with the fewest segments running now), then submission order. Pure, so the policy is
/// tested without sockets.
public enum Scheduler {
    public struct Candidate: Sendable, Equatable {
        public var job: String
        public var priority: JobPriority
        public var owner: String
        public var sequence: Int

        public init(job: String, priority: JobPriority, owner: String, sequence: Int) {
            self.job = job
            self.priority = priority
            self.owner = owner
            self.sequence = sequence
        }
    }

    /// `candidates` are the jobs with a pending segment this agent may take;
    /// `runningByOwner` counts the leases each owner holds now.
    public static func pick(_ candidates: [Candidate], runningByOwner: [String: Int]) -> Candidate? {
        candidates.min { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            let ra = runningByOwner[a.owner, default: 0], rb = runningByOwner[b.owner, default: 0]
            if ra != rb { return ra < rb }
            return a.sequence < b.sequence
        }
    }
}

/// Which straggler an idle slot re-runs speculatively: the longest-running segment held by one
/// other agent, once it runs `factor` times its expected time (its frames × the job's seconds per
/// frame) and at least `minimumSeconds`. The per-frame cost comes from heartbeat progress as
/// well as results, so no segment needs to have completed first; with no frame reported at all,
/// `factor × minimumSeconds` is the bound. Pure.
public struct StragglerPolicy: Sendable {
    public struct Running: Sendable {
        public var segment: Int
        public var leases: [SegmentStateMachine.Lease]
        public var expectedFrames: Int

        public init(segment: Int, leases: [SegmentStateMachine.Lease], expectedFrames: Int) {
            self.segment = segment
            self.leases = leases
            self.expectedFrames = expectedFrames
        }
    }

    public var factor: Double
    public var minimumSeconds: Double

    public init(factor: Double, minimumSeconds: Double) {
        self.factor = factor
        self.minimumSeconds = minimumSeconds
    }

    public func threshold(expectedFrames: Int, secondsPerFrame: Double?) -> Double {
        guard let secondsPerFrame else { return factor * minimumSeconds }
        return max(minimumSeconds, factor * secondsPerFrame * Double(expectedFrames))
    }

    public func pick(running: [Running], secondsPerFrame: Double?, now: Double, agent: String) -> Int? {
        overdue(running: running.filter { $0.leases.count == 1 && $0.leases[0].agent != agent },
                secondsPerFrame: secondsPerFrame, now: now).first
    }

    /// Segments held by one lease past their bound, the longest-running first.
    public func overdue(running: [Running], secondsPerFrame: Double?, now: Double) -> [Int] {
        running
            .filter {
                $0.leases.count == 1 && now - $0.leases[0].started > threshold(expectedFrames: $0.expectedFrames, secondsPerFrame: secondsPerFrame)
            }
            .sorted { ($0.leases[0].started, $0.segment) < ($1.leases[0].started, $1.segment) }
            .map(\.segment)
    }
}
