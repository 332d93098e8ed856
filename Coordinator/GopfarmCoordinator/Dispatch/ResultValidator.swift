import Foundation
import GopfarmCommon

/// Checks an agent's result against its hash and the plan before anything trusts it, then
/// writes the payload to the spool, named by its SHA-256.
struct ResultValidator {
    let planned: PlannedSegment
    let spool: URL

    func validateAndSpool(_ result: SegmentResult, payloads: [Data]) throws -> URL {
        guard payloads.count == 1, let payload = payloads.first else { throw WireError("a result carries exactly one payload") }
        guard payload.count == result.payloadBytes, SHA256.hex(payload) == result.payloadSHA256 else {
            throw WireError("payload does not match its size or SHA-256")
        }
        let times = try PacketStreamReader.presentationTimes(payload)
        guard times.count == result.frames else {
            throw MediaError(.segmentMismatch, "result says \(result.frames) frames but carries \(times.count) packets")
        }
        for t in times where t < planned.startPTS || planned.endPTS.map({ t >= $0 }) == true {
            throw MediaError(.segmentMismatch, "a packet at \(t) lies outside the segment's range")
        }
        if planned.containsCorruptPackets {
            guard result.frames <= planned.expectedFrames, result.frames > 0 else {
                throw MediaError(.segmentMismatch, "segment \(result.segment) has \(result.frames) frames; the plan allows at most \(planned.expectedFrames)")
            }
        } else {
            guard result.frames == planned.expectedFrames, result.firstPTS == planned.firstPTS, result.lastPTS == planned.lastPTS else {
                throw MediaError(.segmentMismatch, "segment \(result.segment) has \(result.frames) frames from \(result.firstPTS) to \(result.lastPTS); the plan says \(planned.expectedFrames) from \(planned.firstPTS) to \(planned.lastPTS)")
            }
        }
        let url = spool.appendingPathComponent("\(result.payloadSHA256).gfps")
        if !FileManager.default.fileExists(atPath: url.path) {
            try payload.write(to: url, options: .atomic)
        }
        return url
    }
}
