import Foundation
import GopfarmCommon

/// What a simulation runs: the agents (hosts with speeds, slots and links), the jobs' segments
/// with what each costs, and the coordinator's own costs, all measured numbers or a model.
public struct SimulationSpec: Sendable, Codable {
    /// Hosts alike in every way; `count` of them.
    public struct AgentGroup: Sendable, Codable {
        public var count: Int
        public var slots = 1
        public var prefetch = 1
        /// Work per second relative to the host the costs were measured on (2: twice as fast).
        public var speed = 1.0
        /// Each host's link to the coordinator, both ways.
        public var linkBitsPerSecond = 1e9
        public var latencySeconds = 0.0002
        /// When the hosts join, seconds after the job is submitted.
        public var joinAt = 0.0

        public init(count: Int, slots: Int = 1, prefetch: Int = 1, speed: Double = 1, linkBitsPerSecond: Double = 1e9,
                    latencySeconds: Double = 0.0002, joinAt: Double = 0) {
            self.count = count
            self.slots = slots
            self.prefetch = prefetch
            self.speed = speed
            self.linkBitsPerSecond = linkBitsPerSecond
            self.latencySeconds = latencySeconds
            self.joinAt = joinAt
        }
    }

    /// One planned segment and what it costs on one slot of a speed-1 host.
    public struct Segment: Sendable, Codable, Equatable {
        public var frames: Int
        public var seconds: Double
        public var sentBytes: Int
        public var returnedBytes: Int

        public init(frames: Int, seconds: Double, sentBytes: Int, returnedBytes: Int) {
            self.frames = frames
            self.seconds = seconds
            self.sentBytes = sentBytes
            self.returnedBytes = returnedBytes
        }
    }

    public struct Job: Sendable, Codable {
        public var id: String
        public var segments: [Segment]
        public var maxAgents: Int?
        public var priority: JobPriority = .normal
        public var owner = "sim"
        /// Seconds after the start the job is submitted.
        public var submitAt = 0.0
        /// The dispatcher may split its segments for the slots (`DispatchSplitter`), never into
        /// parts under this many frames; nil: they run as planned (a video with hidden frames).
        public var minimumSplitFrames: Int?

        public init(id: String, segments: [Segment], maxAgents: Int? = nil, submitAt: Double = 0) {
            self.id = id
            self.segments = segments
            self.maxAgents = maxAgents
            self.submitAt = submitAt
        }
    }

    /// The coordinator's measured costs: its loop is one thread, so these add up.
    public struct Coordinator: Sendable, Codable {
        /// Cutting a segment out of the input (stream copy), bytes per second.
        public var extractBytesPerSecond = 1.5e9
        /// Handling one message in the dispatcher (decode, decide, record): the control plane.
        public var secondsPerMessage = 1.0 / 15_000
        /// The coordinator's network interface, shared by every host's link.
        public var nicBitsPerSecond = 10e9
        /// Probe, plan, stitch and audio: before and after the parallel part.
        public var serialSeconds = 0.0

        public init() {}
    }

    public var agents: [AgentGroup]
    public var jobs: [Job]
    public var coordinator = Coordinator()
    public var heartbeatSeconds = 1.0
    /// An agent that hears nothing for this long reconnects (gopfarm-agent's rule: five
    /// heartbeats, at least 3 s).
    public var agentSilenceSeconds = 5.0

    public init(agents: [AgentGroup], jobs: [Job]) {
        self.agents = agents
        self.jobs = jobs
    }

    public var agentCount: Int { agents.reduce(0) { $0 + $1.count } }
    public var slotCount: Int { agents.reduce(0) { $0 + $1.count * $1.slots } }
}
