import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing
import TestSupport

/// The pread fast path (MP4/MOV) and the demuxer path cut byte-identical segments.
@Suite("Segment extraction")
struct SegmentExtractorTests {
    @Test("direct reads equal demuxed packets", arguments: [Fixture.h264BFramesMP4, Fixture.noiseAudioMP4])
    func directEqualsDemuxed(_ fixture: Fixture) throws {
        let path = try fixture.path()
        let probe = try MediaProbe(path: path)
        #expect(probe.index.directlyReadable, "an MP4 should be readable by offset")
        var demuxOnly = probe
        demuxOnly.index.directlyReadable = false
        let plan = try SegmentPlanner(targetSeconds: 1).plan(probe.index, timeBase: probe.videoTimeBase)
        #expect(plan.segments.count >= 3)
        let direct = try SegmentExtractor(path: path, probe: probe)
        let demuxed = try SegmentExtractor(path: path, probe: demuxOnly)
        // Out of order too, to exercise the demuxer's seeking.
        for segment in plan.segments.reversed() + plan.segments {
            let a = try PacketStreamReader(try direct.extract(segment))
            let b = try PacketStreamReader(try demuxed.extract(segment))
            #expect(a.header == b.header)
            #expect(a.records.count == segment.packetCount && b.records.count == segment.packetCount)
            for (x, y) in zip(a.records, b.records) {
                #expect(x.pts == y.pts && x.dts == y.dts && x.duration == y.duration && x.flags == y.flags)
                #expect(a.data[x.data] == b.data[y.data])
            }
        }
    }

    @Test("a damaged or non-MP4 file is never read by offset")
    func fallbacks() throws {
        #expect(try MediaProbe(path: try Fixture.h264OpenGOPTS.path()).index.directlyReadable == false)
        #expect(try MediaProbe(path: try Fixture.twoAudioMKV.path()).index.directlyReadable == false)
        if let media = TestPaths.sharedMedia {
            #expect(try MediaProbe(path: media.appendingPathComponent("flower_truncated_tail.mp4").path).index.directlyReadable == false)
        }
    }
}
