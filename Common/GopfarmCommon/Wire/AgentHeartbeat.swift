/// Sent by an agent every heartbeat interval: it is alive, and how far each leased segment is.
public struct AgentHeartbeat: WireMessage, Equatable {
    public static let type = "heartbeat"
    public struct Progress: Codable, Sendable, Equatable {
        public var job: String
        public var segment: Int
        public var attempt: Int
        public var frames: Int
        public init(job: String, segment: Int, attempt: Int, frames: Int) {
            self.job = job
            self.segment = segment
            self.attempt = attempt
            self.frames = frames
        }
    }
    public var inProgress: [Progress]
    public init(inProgress: [Progress]) { self.inProgress = inProgress }
}
