/// Sent by an agent every heartbeat interval: it is alive, and how far each leased segment is.
public struct AgentHeartbeat: WireMessage, Equatable {
    public static let type = "heartbeat"
    public struct Progress: Codable, Sendable, Equatable {
        public var job: String
        public var segment: Int
        public var attempt: Int
        public var frames: Int
        /// Prefetched: held in the agent's queue until a slot frees (nil: running).
        public var queued: Bool?
        public init(job: String, segment: Int, attempt: Int, frames: Int, queued: Bool? = nil) {
            self.job = job
            self.segment = segment
            self.attempt = attempt
            self.frames = frames
            self.queued = queued
        }
    }
    public var inProgress: [Progress]
    public init(inProgress: [Progress]) { self.inProgress = inProgress }
}
