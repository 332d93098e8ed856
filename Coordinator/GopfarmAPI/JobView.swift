import Foundation
import GopfarmCommon

/// A job as the API and `gopfarm status --json` show it.
public struct JobView: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case queued, planning, running, stitching, done, failed, cancelled
        public var isFinal: Bool { [.done, .failed, .cancelled].contains(self) }

        /// Why job `id`, in this state (not done), has no output to fetch.
        public func noOutput(job id: String) -> String {
            switch self {
            case .failed, .cancelled: "job \(id) \(self == .failed ? "failed" : "was cancelled"); it has no output"
            default: "job \(id) is \(rawValue); its output exists once it is done"
            }
        }
    }

    public struct Progress: Codable, Sendable, Equatable {
        public var segmentsDone: Int
        public var segmentsTotal: Int
        public var framesDone: Int
        public var framesTotal: Int
        public var fraction: Double
        public var agents: Int
        public var requeues: Int

        public init(segmentsDone: Int, segmentsTotal: Int, framesDone: Int, framesTotal: Int, fraction: Double,
                    agents: Int, requeues: Int) {
            self.segmentsDone = segmentsDone
            self.segmentsTotal = segmentsTotal
            self.framesDone = framesDone
            self.framesTotal = framesTotal
            self.fraction = fraction
            self.agents = agents
            self.requeues = requeues
        }
    }

    public var id: String
    public var owner: String
    public var state: State
    public var priority: JobPriority
    public var input: String
    public var outputName: String
    public var codec: String
    public var submittedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var progress: Progress
    public var error: String?
    public var warnings: [String]
    /// Frames and bytes of the finished output.
    public var outputFrames: Int?
    public var outputBytes: Int?
    /// Agents that encoded its segments.
    public var agents: [String]
    /// What the job found in its content, once done (only on a single job's view; the per-frame
    /// series is at `GET /v1/jobs/{id}/analysis`).
    public var analysis: JobAnalysis?
    /// Where the time went: phases and every segment attempt (only on a single job's view).
    public var timings: JobTimings?
    /// The job's `maxAgents`, when it has one.
    public var maxAgents: Int?
    /// The named preset the job was encoded with (given, or the owner's default), when one was.
    public var preset: String?
    /// A ladder job's renditions and files (its `outputName` is then a directory).
    public var ladder: JobLadder?
    /// True while the job, probed, waits for an agent to connect (its plan is cut for the slots
    /// of the agents that do); absent otherwise.
    public var waitingForAgents: Bool?
    /// While the job is planned: how far its probe has read the input (`decoding`: the second
    /// pass some inputs need, for their frames' order); absent otherwise.
    public var reading: Reading?

    public struct Reading: Codable, Sendable, Equatable {
        public var step: ProbeStep
        /// 0 to 1.
        public var fraction: Double

        public init(step: ProbeStep, fraction: Double) {
            self.step = step
            self.fraction = fraction
        }
    }

    public init(id: String, owner: String, state: State, priority: JobPriority, input: String, outputName: String,
                codec: String, submittedAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, progress: Progress,
                error: String? = nil, warnings: [String] = [], outputFrames: Int? = nil, outputBytes: Int? = nil,
                agents: [String] = [], analysis: JobAnalysis? = nil, timings: JobTimings? = nil, maxAgents: Int? = nil,
                ladder: JobLadder? = nil) {
        self.id = id
        self.owner = owner
        self.state = state
        self.priority = priority
        self.input = input
        self.outputName = outputName
        self.codec = codec
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.progress = progress
        self.error = error
        self.warnings = warnings
        self.outputFrames = outputFrames
        self.outputBytes = outputBytes
        self.agents = agents
        self.analysis = analysis
        self.timings = timings
        self.maxAgents = maxAgents
        self.ladder = ladder
    }
}
