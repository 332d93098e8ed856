import Foundation
import GopfarmCommon

/// Checks an agent's result against its hashes and the plan before anything trusts it, then
/// writes the payload (and the analysis, when there is one) to the spool, named by SHA-256.
struct ResultValidator {
    let planned: PlannedSegment
    let spool: URL
    /// The job asked for analysis (the result must carry it) and for encoded packets.
    var analyzed = false
    var encoded = true
    /// A ladder job's rung count: the payload is a `RenditionBundle` of that many streams.
    var rungs: Int?

    func validateAndSpool(_ result: SegmentResult, payloads: [Data]) throws -> URL {
        let expectedPayloads = analyzed ? 2 : 1
        guard payloads.count == expectedPayloads else {
            throw WireError("a result of this job carries \(expectedPayloads) payload frame(s), not \(payloads.count)")
        }
        let payload = payloads[0]
        guard payload.count == result.payloadBytes, SHA256.hex(payload) == result.payloadSHA256 else {
            throw WireError("payload does not match its size or SHA-256")
        }
        var analysisData: Data?
        var times: [Int64]
        if analyzed {
            let data = payloads[1]
            guard data.count == result.analysisBytes, let sha = result.analysisSHA256, SHA256.hex(data) == sha else {
                throw WireError("analysis does not match its size or SHA-256")
            }
            let analysis: SegmentAnalysis
            do { analysis = try JSONDecoder().decode(SegmentAnalysis.self, from: data) } catch {
                throw WireError("analysis is not valid JSON: \(error)")
            }
            guard analysis.series.isConsistent, analysis.series.count == result.frames,
                  analysis.first.isWellFormed, analysis.last.isWellFormed else {
                throw MediaError(.segmentMismatch, "the analysis of segment \(result.segment) does not describe its \(result.frames) frames")
            }
            analysisData = data
            times = analysis.series.pts
        } else {
            times = []
        }
        if encoded, let rungs {
            times = try Self.ladderTimes(payload, rungs: rungs, result: result)
        } else if encoded {
            times = try PacketStreamReader.presentationTimes(payload)
        } else if !payload.isEmpty {
            throw WireError("an analysis-only result carries encoded packets")
        }
        guard times.count == result.frames else {
            throw MediaError(.segmentMismatch, "result says \(result.frames) frames but carries \(times.count)")
        }
        for t in times where t < planned.startPTS || planned.endPTS.map({ t >= $0 }) == true {
            throw MediaError(.segmentMismatch, "a frame at \(t) lies outside the segment's range")
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
        if let analysisData, let sha = result.analysisSHA256 {
            let url = CompletedSegment.analysisURL(spool: spool, sha256: sha)
            try SpoolFile.write(analysisData, to: url.path)
        }
        let url = spool.appendingPathComponent("\(result.payloadSHA256).gfps")
        try SpoolFile.write(payload, to: url.path)
        return url
    }

    /// Every rung of a ladder segment holds the same frames: the renditions switch cleanly
    /// only if each has every source frame at the same time.
    static func ladderTimes(_ payload: Data, rungs: Int, result: SegmentResult) throws -> [Int64] {
        let streams = try RenditionBundle.unpack(payload)
        guard streams.count == rungs, result.renditions?.count == rungs,
              zip(streams, result.renditions ?? []).allSatisfy({ $0.count == $1.bytes }) else {
            throw WireError("a ladder result carries \(streams.count) renditions, the ladder has \(rungs)")
        }
        let times = try PacketStreamReader.presentationTimes(streams[0])
        for (i, s) in streams.enumerated().dropFirst() where try PacketStreamReader.presentationTimes(s).sorted() != times.sorted() {
            throw MediaError(.segmentMismatch, "rendition \(i) of segment \(result.segment) holds other frames than rendition 0")
        }
        return times
    }
}
