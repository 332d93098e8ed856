/// First message of an agent: who it is and what it can do.
public struct AgentHello: WireMessage, Equatable {
    public static let type = "hello"
    public var name: String
    public var slots: Int
    public var threads: Int
    public var cores: Int
    public var agentVersion: String
    public var encoders: [String]
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
}
