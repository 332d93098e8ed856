/// First message of an agent: who it is and what it can do.
public struct AgentHello: WireMessage, Equatable {
    public static let type = "hello"
    public var name: String
    public var slots: Int
    public var threads: Int
    public var cores: Int
    public var agentVersion: String
    /// The encoders it has; `instantEncoder` alone for a benchmark agent, which answers any codec.
    public var encoders: [String]
    public static let instantEncoder = "instant"
    public var pid: Int32
    /// Segments the agent takes beyond its slots and holds queued, so a slot that finishes starts
    /// the next one at once instead of waiting a round trip and a transfer (nil: 0).
    public var prefetch: Int?

    public init(name: String, slots: Int, threads: Int, cores: Int, agentVersion: String, encoders: [String], pid: Int32,
                prefetch: Int? = nil) {
        self.name = name
        self.slots = slots
        self.threads = threads
        self.cores = cores
        self.agentVersion = agentVersion
        self.encoders = encoders
        self.pid = pid
        self.prefetch = prefetch
    }

    /// What an agent's name may be (it is shown in every list, log line and dashboard page);
    /// nil: fine. The agent checks its own at start, the coordinator every hello.
    public static func nameRefusal(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 200, !JobRules.hasControlCharacters(name) else {
            return "an agent's name is 1 to 200 characters without control characters (line breaks, escapes), not '\(JobRules.quote(String(name.prefix(200))))'"
        }
        return nil
    }

    /// Why the coordinator refuses this hello; nil: it is well formed.
    public var refusal: String? {
        if let why = Self.nameRefusal(name) { return why }
        guard (1...64).contains(slots) else { return "an agent has 1 to 64 slots, not \(slots)" }
        guard encoders.count <= 64, agentVersion.count <= 100, !JobRules.hasControlCharacters(agentVersion) else {
            return "the hello's encoder list or version is malformed"
        }
        return nil
    }
}
