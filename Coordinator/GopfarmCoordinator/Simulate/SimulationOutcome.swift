import Foundation

/// What a simulation found: when each job ended, how busy every part was, who ran what when.
public struct SimulationOutcome: Sendable, Codable {
    public struct Job: Sendable, Codable {
        public var id: String
        /// done, failed: <why>, cancelled, or unfinished (it would wait forever).
        public var state: String
        public var submitted: Double
        public var firstAssigned: Double?
        public var finished: Double?
    }

    public struct Attempt: Sendable, Codable {
        public var agent: Int
        public var job: String
        public var segment: Int
        public var attempt: Int
        public var assigned: Double
        public var speculative: Bool
        public var started: Double?
        public var ended: Double?
    }

    /// Seconds each resource was busy.
    public struct Busy: Sendable, Codable {
        /// The dispatcher's loop: messages and segment extraction.
        public var coordinator = 0.0
        /// The coordinator's network interface.
        public var nic = 0.0
        /// Each agent's slots, summed (slot-seconds of work, including work later discarded).
        public var agents: [Double] = []
    }

    public var agents = 0
    public var slots = 0
    public var jobs: [Job] = []
    public var serialSeconds = 0.0
    public var busy = Busy()
    public var timeline: [Attempt] = []
    public var counters = DispatchCounters()
    /// Broken invariants (chaos runs): empty when the dispatcher behaved.
    public var violations: [String] = []
    public var virtualSeconds = 0.0
    /// For a run where a job never ended: where everything stood.
    public var stuck: [String] = []

    /// Submission of the first job to the end of the last, plus the serial part (probe, plan,
    /// stitch, audio) the coordinator does around it.
    public var makespan: Double {
        let start = jobs.map(\.submitted).min() ?? 0
        let end = jobs.compactMap(\.finished).max() ?? virtualSeconds
        return end - start + serialSeconds
    }

    /// The parallel part: first segment handed out to last result.
    public var dispatchSeconds: Double {
        let start = jobs.compactMap(\.firstAssigned).min() ?? 0
        let end = jobs.compactMap(\.finished).max() ?? virtualSeconds
        return max(0, end - start)
    }

    /// Slot-seconds of work over slots × the parallel part.
    public var utilization: Double {
        let work = busy.agents.reduce(0, +)
        return dispatchSeconds > 0 && slots > 0 ? work / (Double(slots) * dispatchSeconds) : 0
    }

    /// Fraction of the parallel part the coordinator's loop and NIC were busy.
    public var coordinatorLoad: Double { dispatchSeconds > 0 ? busy.coordinator / dispatchSeconds : 0 }
    public var nicLoad: Double { dispatchSeconds > 0 ? busy.nic / dispatchSeconds : 0 }
}
