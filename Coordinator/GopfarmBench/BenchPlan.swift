import GopfarmCommon

/// What a bench measures: the same job at each cluster size, how often, and on what input.
public struct BenchPlan: Codable, Sendable, Equatable {
    /// How the input relates to the cluster size.
    public enum Scaling: String, Codable, Sendable {
        /// The same input at every size: does N agents finish it N times sooner?
        case strong
        /// The input grows with N (N/maxN of it, cut at a key frame): does N agents keep the
        /// throughput per agent?
        case weak
    }

    /// Cluster sizes, ascending and distinct; the first is the baseline of speedup and efficiency.
    public var agentCounts: [Int]
    /// Jobs per size; the table shows medians.
    public var repeats: Int
    public var scaling: Scaling
    public var settings: EncodeSettings
    /// Target segment length (nil: the coordinator's default).
    public var segmentSeconds: Double?
    /// Encoder threads of each agent the bench starts (nil on a cluster: its agents' own).
    public var threadsPerAgent: Int?

    public init(agentCounts: [Int], repeats: Int = 1, scaling: Scaling = .strong, settings: EncodeSettings,
                segmentSeconds: Double? = nil, threadsPerAgent: Int? = nil) {
        self.agentCounts = agentCounts
        self.repeats = repeats
        self.scaling = scaling
        self.settings = settings
        self.segmentSeconds = segmentSeconds
        self.threadsPerAgent = threadsPerAgent
    }

    /// The largest size: how many agents the bench needs.
    public var maxAgents: Int { agentCounts.max() ?? 1 }

    /// `1,2,4,8` → [1, 2, 4, 8]: sorted, duplicates dropped; each between 1 and 1024.
    public static func parseAgentCounts(_ text: String) throws(BenchError) -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var counts: [Int] = []
        for part in parts {
            guard let n = Int(part), (1...1024).contains(n) else {
                throw .usage("--agents takes a list of agent counts such as 1,2,4,8 (each 1 to 1024), not '\(text)'")
            }
            counts.append(n)
        }
        return Array(Set(counts)).sorted()
    }

    /// The share of the input a size gets under weak scaling: N / maxN (1 under strong scaling).
    public func inputShare(agents n: Int) -> Double {
        scaling == .weak ? Double(n) / Double(maxAgents) : 1
    }
}
