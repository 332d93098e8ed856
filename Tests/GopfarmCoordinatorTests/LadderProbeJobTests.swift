import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Testing
import TestSupport

/// `--ladder auto`'s measuring half on a real probe of a real clip: what the probe job asks of
/// the agents, and how their measurements become rungs.
@Suite struct LadderProbeJobTests {
    static func prepared() throws -> PreparedJob {
        try PreparedJob(input: try Fixture.h264BFramesMP4.path(),
                        settings: EncodeSettings(codec: "libx264", ladder: try Ladder(parsing: "auto")), segmentSeconds: 1, slots: 2)
    }

    @Test func theProbeJobEncodesTheSampleAtEveryGridPoint() throws {
        let job = try Self.prepared()
        let probe = try LadderProbe(prepared: job)
        // 320x240: the grid is 240 and its half, 120, at five CRFs; no reference rung fits.
        #expect(probe.grid.resolutions.map(\.height) == [240, 120])
        #expect(probe.rungs.count == 10 && probe.referenceCount == 0)
        #expect(Set(probe.rungs.map(\.name)).count == probe.rungs.count)
        let dispatch = probe.dispatchJob(id: "p", spool: URL(fileURLWithPath: "/tmp"))
        #expect(dispatch.plan.segments.map(\.index) == Array(probe.sample.indices))
        #expect(dispatch.plan.segments.map(\.startPacket) == probe.sample.map { job.plan.segments[$0].startPacket })
        #expect(dispatch.settings.ladder?.rungs == probe.rungs && dispatch.settings.ladder?.auto == false)
        #expect(dispatch.analysis?.quality == true)
        // Uncapped CRF encodes: no rate cap in the agent's settings.
        #expect(probe.rungs.map { $0.settings(base: job.settings) }.allSatisfy { $0.maxRate == nil && $0.crf != nil })
    }

    /// Measurements from a plausible encoder model: bits fall and error grows with CRF, a small
    /// size costs fewer bits and loses detail.
    static func measured(_ probe: LadderProbe, frames: Int) -> [CompletedSegment] {
        probe.sample.enumerated().map { position, n in
            let renditions = probe.rungs.map { rung -> RenditionResult in
                let crf = rung.crf ?? 23, scale = Double(rung.height) / 240
                let bytes = Int(40_000 * scale * scale * pow(0.89, crf - 18))
                let mse = 2 * pow(1.12, crf - 18) + (1 - scale) * 30
                return RenditionResult(bytes: bytes, quality: SegmentQuality(frames: frames, mse: [mse, mse / 2, mse / 2],
                                                                             planeWeights: [4.0 / 6, 1.0 / 6, 1.0 / 6], peak: 255, ssimY: nil, ssimFrames: 0))
            }
            let result = SegmentResult(job: "p", segment: position, attempt: 1, frames: frames, firstPTS: 0, lastPTS: 0, reorderDepth: 0,
                                       corruptFrames: [], payloadSHA256: "", payloadBytes: 0, decodeSeconds: 0, encodeSeconds: 0,
                                       renditions: renditions)
            return CompletedSegment(result: result, path: URL(fileURLWithPath: "/dev/null"), agent: "a")
        }
    }

    @Test func measurementsBecomeCheckedRungs() throws {
        let job = try Self.prepared()
        let probe = try LadderProbe(prepared: job)
        let choice = try probe.choose(Self.measured(probe, frames: 25))
        #expect(choice.points.count == 10 && choice.reference.isEmpty && choice.bdRateAgainstReference == nil)
        #expect(!choice.rungs.isEmpty && choice.rungs.count == choice.chosen.count)
        #expect(Set(choice.rungs.map(\.name)).count == choice.rungs.count)
        #expect(choice.rungs.allSatisfy { $0.height <= 240 && $0.bitrate >= 200_000 })
        // The job then carries the chosen rungs, checked like typed ones.
        let resolved = try job.choosingRungs(choice.rungs)
        #expect(resolved.settings.ladder?.auto == false && resolved.settings.ladder?.rungs == choice.rungs)
    }

    @Test func aProbeWithoutMeasurementsIsOneSentence() throws {
        let probe = try LadderProbe(prepared: try Self.prepared())
        var segments = Self.measured(probe, frames: 25)
        segments[0].result.renditions = nil
        do { _ = try probe.choose(segments); Issue.record("chose from nothing") } catch {
            #expect(error.message == "the ladder probe returned no usable measurements")
        }
    }
}
