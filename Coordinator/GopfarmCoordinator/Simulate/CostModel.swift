import Foundation
import GopfarmCommon

/// What one frame costs, measured on a recorded job: the agent's seconds per frame on one slot
/// of the host it ran on (content-dependent: one figure per source frame when known), the bytes
/// each frame puts on the links, and the coordinator's own costs. `FarmPrediction` prices any
/// plan, on any number of hosts, with it.
public struct CostModel: Sendable, Codable {
    /// Agent seconds of each source frame (decode, encode, analysis), in order; a uniform model
    /// repeats one figure.
    public var secondsPerFrame: [Double]
    public var sentBytesPerFrame: Double
    public var returnedBytesPerFrame: Double
    /// Probe, plan, stitch, audio and analysis merge: what does not shrink with more agents.
    public var serialSeconds: Double
    /// Cutting segments out of the input (measured extraction: bytes over seconds).
    public var extractBytesPerSecond: Double
    /// The dispatcher's loop per message (from bench/control-plane.sh: segments/s, each about
    /// two messages and a heartbeat share).
    public var secondsPerMessage: Double

    public init(secondsPerFrame: [Double], sentBytesPerFrame: Double, returnedBytesPerFrame: Double, serialSeconds: Double,
                extractBytesPerSecond: Double, secondsPerMessage: Double = CostModel.measuredSecondsPerMessage) {
        self.secondsPerFrame = secondsPerFrame
        self.sentBytesPerFrame = sentBytesPerFrame
        self.returnedBytesPerFrame = returnedBytesPerFrame
        self.serialSeconds = serialSeconds
        self.extractBytesPerSecond = extractBytesPerSecond
        self.secondsPerMessage = secondsPerMessage
    }

    /// bench/control-plane.sh on this 2-core machine: a median of ~7,450 segments/s, each one
    /// assignment and one completion (README, Performance).
    public static let measuredSecondsPerMessage = 1.0 / (7_450 * 2)

    /// The same costs for a longer input: the measured per-frame figures repeated over `frames`.
    public func scaled(to frames: Int) -> CostModel {
        var model = self
        let measured = secondsPerFrame.isEmpty ? [0] : secondsPerFrame
        model.secondsPerFrame = (0..<frames).map { measured[$0 % measured.count] }
        return model
    }

    /// The planned segments, each priced by its frames.
    public func segments(_ plan: SegmentPlan) -> [SimulationSpec.Segment] {
        var frame = plan.skippedLeadingFrames
        return plan.segments.map { s in
            let range = frame..<(frame + s.expectedFrames)
            frame += s.expectedFrames
            let seconds = range.reduce(0.0) { $0 + secondsPerFrame[min(max($1, 0), secondsPerFrame.count - 1)] }
            return SimulationSpec.Segment(frames: s.expectedFrames, seconds: seconds,
                                          sentBytes: Int(sentBytesPerFrame * Double(s.expectedFrames)),
                                          returnedBytes: Int(returnedBytesPerFrame * Double(s.expectedFrames)))
        }
    }

    /// A key-frame index of `frames` frames with a key frame every `keyFrameInterval` frames:
    /// what the planner cuts a synthetic film from.
    public static func syntheticIndex(frames: Int, keyFrameInterval: Int) -> VideoPacketIndex {
        var index = VideoPacketIndex()
        index.records.reserveCapacity(frames)
        for f in 0..<frames {
            index.records.append(VideoPacketRecord(pts: Int64(f), dts: Int64(f), position: Int64(f) * 1000, size: 1000,
                                                   randomAccess: f % max(1, keyFrameInterval) == 0 ? .closed : .none, discard: false, corrupt: false))
        }
        return index
    }
}

/// Predictions of a farm's makespan: `DispatchSimulation` with segments priced by a `CostModel`.
public enum FarmPrediction {
    /// Simulates one job of `plan` on `hosts`, with the dispatcher's default timing.
    /// `minimumSplitFrames`: the dispatcher splits segments for the slots, as it does for a video
    /// it may cut at any frame (`DispatchSplitter`); nil: the plan runs as cut.
    public static func simulate(plan: SegmentPlan, model: CostModel, hosts group: SimulationSpec.AgentGroup, nicBitsPerSecond: Double = 10e9,
                                minimumSplitFrames: Int? = nil, timing: DispatchTiming = DispatchTiming()) -> SimulationOutcome {
        let segments = model.segments(plan)
        var job = SimulationSpec.Job(id: "job", segments: segments)
        job.minimumSplitFrames = minimumSplitFrames
        var spec = SimulationSpec(agents: [group], jobs: [job])
        // Heartbeats and expiry checks every second, as gopfarm-agent does, up to 100 hosts;
        // past that as often as the segments' length makes them matter (a twentieth of a
        // segment, at most 10 s): a 1,000-host farm of 4-minute segments would otherwise spend
        // the simulator's time on heartbeats. (At 1 s vs 2.5 s the 8-host bench moved by 6 %.)
        let mean = segments.reduce(0) { $0 + $1.seconds } / Double(max(1, segments.count)) / group.speed
        spec.heartbeatSeconds = group.count <= 100 ? 1 : min(10, max(1, mean / 20))
        spec.agentSilenceSeconds = max(3, 5 * spec.heartbeatSeconds)
        var timing = timing
        timing.heartbeatMilliseconds = Int(spec.heartbeatSeconds * 1000)
        timing.agentTimeoutSeconds = max(timing.agentTimeoutSeconds, 4 * spec.heartbeatSeconds)
        timing.expirySeconds = max(timing.expirySeconds, spec.heartbeatSeconds)
        spec.coordinator.extractBytesPerSecond = model.extractBytesPerSecond
        spec.coordinator.secondsPerMessage = model.secondsPerMessage
        spec.coordinator.nicBitsPerSecond = nicBitsPerSecond
        spec.coordinator.serialSeconds = model.serialSeconds
        return simulate(spec, timing: timing)
    }

    public static func simulate(_ spec: SimulationSpec, timing: DispatchTiming = DispatchTiming()) -> SimulationOutcome {
        var simulation = DispatchSimulation(spec: spec, timing: timing)
        return simulation.run()
    }
}
