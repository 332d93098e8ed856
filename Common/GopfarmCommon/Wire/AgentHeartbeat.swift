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
        /// Steps of work so far (frames in and packets out): it grows while `frames` (done)
        /// waits for an encoder's lookahead to fill (x264 veryslow holds 60 frames before its
        /// first packet), so the coordinator does not take a working lease back. nil: an older agent.
        public var activity: Int?
        public init(job: String, segment: Int, attempt: Int, frames: Int, queued: Bool? = nil, activity: Int? = nil) {
            self.job = job
            self.segment = segment
            self.attempt = attempt
            self.frames = frames
            self.queued = queued
            self.activity = activity
        }
    }
    public var inProgress: [Progress]
    /// Bytes joined so far of a large message arriving from the coordinator (a segment's input,
    /// part by part; nil: none arriving). On a slow link a segment's input takes longer than the
    /// lease's no-progress bound, and the leases it carries are not listed until it has arrived:
    /// this count growing is their progress. nil from older agents.
    public var receiving: Int?
    public init(inProgress: [Progress], receiving: Int? = nil) {
        self.inProgress = inProgress
        self.receiving = receiving
    }
}
