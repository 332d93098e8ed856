import Foundation
import GopfarmAgent
import GopfarmCommon

/// Benchmarks only (`gopfarm-bench-agent`): answers an assignment at once with its own source
/// packets of the range, copied, neither decoded nor encoded, so a benchmark of the
/// coordinator's control plane can run many agents that cost nothing.
///
/// Passes the coordinator's checks (frames, first and last PTS equal to the plan) only for
/// all-intra sources, where every packet in range is exactly one frame in range.
struct InstantSegment {
    let assignment: SegmentAssignment

    func run(payload: Data) throws(MediaError) -> SegmentTranscoder.Output {
        guard assignment.analysis == nil else {
            throw MediaError(.invalidOption, "an instant (benchmark) agent neither decodes nor analyzes; run this job without analysis (--no-analysis, or \"analysis\": false)")
        }
        let started = Date()
        // The usual case (no priming packets): every packet is in range, and the payload itself
        // is the answer; only the packet times are read (no JSON header decode, no copy).
        let times = try PacketStreamReader.presentationTimes(payload)
        if let first = times.min(), let last = times.max(), first >= assignment.startPTS, assignment.endPTS.map({ last < $0 }) ?? true {
            let result = SegmentResult(
                job: assignment.job, segment: assignment.segment, attempt: assignment.attempt, frames: times.count,
                firstPTS: first, lastPTS: last, reorderDepth: SegmentTranscoder.reorderDepth(times), corruptFrames: [],
                payloadSHA256: assignment.payloadSHA256, payloadBytes: payload.count,
                decodeSeconds: 0, encodeSeconds: Date().timeIntervalSince(started))
            return SegmentTranscoder.Output(result: result, payload: payload)
        }
        let input = try PacketStreamReader(payload)
        let kept = input.records.filter { record in
            record.pts != noPTS && record.pts >= assignment.startPTS && assignment.endPTS.map { record.pts < $0 } ?? true
        }
        guard let first = kept.map(\.pts).min(), let last = kept.map(\.pts).max() else {
            throw MediaError(.segmentMismatch, "segment \(assignment.segment) has no packet in its range")
        }
        var writer = PacketStreamWriter(reservingCapacity: kept.reduce(0) { $0 + $1.data.count + PacketStreamWriter.recordOverhead })
        for r in kept {
            input.data[r.data].withUnsafeBytes { writer.append(pts: r.pts, dts: r.dts, duration: r.duration, flags: r.flags, data: $0) }
        }
        let out = try writer.finish(parameters: input.header.parameters, timeBase: input.header.timeBase)
        let result = SegmentResult(
            job: assignment.job, segment: assignment.segment, attempt: assignment.attempt, frames: kept.count,
            firstPTS: first, lastPTS: last, reorderDepth: SegmentTranscoder.reorderDepth(kept.map(\.pts)), corruptFrames: [],
            payloadSHA256: SHA256.hex(out), payloadBytes: out.count,
            decodeSeconds: 0, encodeSeconds: Date().timeIntervalSince(started))
        return SegmentTranscoder.Output(result: result, payload: out)
    }
}
