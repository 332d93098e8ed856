@testable import GopfarmCoordinator
import Testing

@Suite("Decode timestamps across segments")
struct DecodeTimestampsTests {
    @Test func monotonicAndNeverAfterPresentation() {
        // Two segments of an x264-like B-pyramid: decode order I P B B … per segment.
        let seg1: [Int64] = [0, 3, 1, 2, 6, 4, 5, 7]
        let seg2: [Int64] = [8, 11, 9, 10, 14, 12, 13, 15]
        var d = DecodeTimestamps(depth: 2)
        let dts = d.next(segmentPTS: seg1) + d.next(segmentPTS: seg2)
        let pts = seg1 + seg2
        #expect(zip(dts, dts.dropFirst()).allSatisfy { $0 < $1 })
        #expect(zip(dts, pts).allSatisfy { $0 <= $1 })
        #expect(dts.prefix(3) == [-2, -1, 0])
    }

    @Test func noReorderingMeansDTSEqualsPTS() {
        var d = DecodeTimestamps(depth: 0)
        #expect(d.next(segmentPTS: [0, 512, 1024]) == [0, 512, 1024])
        #expect(d.next(segmentPTS: [1536, 2048]) == [1536, 2048])
    }
}
