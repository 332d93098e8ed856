import Foundation
import GopfarmAgent
import GopfarmCommon

/// A slot that answers each assignment at once with its own source packets (`InstantSegment`),
/// so `AgentRuntime` runs as a benchmark agent that costs the coordinator's machine nothing.
public struct InstantWorker: SegmentWorker {
    public init() {}
    public var encoders: [String] { [AgentHello.instantEncoder] }
    public var answersAtOnce: Bool { true }

    public func run(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) throws(MediaError) -> SegmentTranscoder.Output {
        try InstantSegment(assignment: assignment).run(payload: payload)
    }
}
