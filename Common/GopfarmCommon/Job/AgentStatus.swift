import Foundation

/// What ops see of one connected agent.
public struct AgentStatus: Codable, Sendable, Equatable {
    /// `stuck`: every slot holds work taken back for making no progress (a hung encoder); it
    /// gets nothing until that work ends.
    public enum State: String, Codable, Sendable { case idle, working, draining, stuck }
    public var name: String
    public var state: State
    public var slots: Int
    public var busy: Int
    public var threads: Int
    public var cores: Int
    public var version: String
    public var encoders: [String]
    /// The CURVE public key it authenticated with (nil on an insecure endpoint).
    public var publicKey: String?
    public var segmentsDone: Int
    public var framesPerSecond: Double
    public var lastHeartbeatSecondsAgo: Double
    public var connectedSeconds: Double

    public init(name: String, state: State, slots: Int, busy: Int, threads: Int, cores: Int, version: String, encoders: [String],
                publicKey: String?, segmentsDone: Int, framesPerSecond: Double, lastHeartbeatSecondsAgo: Double, connectedSeconds: Double) {
        self.name = name
        self.state = state
        self.slots = slots
        self.busy = busy
        self.threads = threads
        self.cores = cores
        self.version = version
        self.encoders = encoders
        self.publicKey = publicKey
        self.segmentsDone = segmentsDone
        self.framesPerSecond = framesPerSecond
        self.lastHeartbeatSecondsAgo = lastHeartbeatSecondsAgo
        self.connectedSeconds = connectedSeconds
    }
}
