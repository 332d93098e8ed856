import Foundation
import GopfarmCommon

/// What a slot does with an assignment. The product encodes (`TranscodingWorker`); a benchmark
/// agent may answer without encoding, under the same protocol rules (`AgentCore`).
public protocol SegmentWorker: Sendable {
    /// The encoders announced in hello.
    var encoders: [String] { get }
    /// Answers at once, on the loop thread: no slot thread is started, and the result goes out
    /// at the next tick instead of after the loop's poll timeout.
    var answersAtOnce: Bool { get }
    func run(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) throws(MediaError) -> SegmentTranscoder.Output
}

/// Decodes, scales and encodes with libav (`SegmentTranscoder`).
public struct TranscodingWorker: SegmentWorker {
    public init() {}
    public var encoders: [String] { Encoder.availableEncoders() }
    public var answersAtOnce: Bool { false }

    public func run(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) throws(MediaError) -> SegmentTranscoder.Output {
        try SegmentTranscoder(assignment: assignment, progress: progress).run(payload: payload)
    }
}
