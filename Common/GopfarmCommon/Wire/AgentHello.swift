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

    public init(name: String, slots: Int, threads: Int, cores: Int, agentVersion: String, encoders: [String], pid: Int32) {
        self.name = name
        self.slots = slots
        self.threads = threads
        self.cores = cores
        self.agentVersion = agentVersion
        self.encoders = encoders
        self.pid = pid
    }
}
