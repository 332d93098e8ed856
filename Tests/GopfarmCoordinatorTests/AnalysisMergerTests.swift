import Foundation
@testable import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

@Suite("Scene, fade, black and frozen decisions; merging segments")
struct AnalysisMergerTests {
    /// A series of `n` frames at 25 fps (time base 1/25) with the given per-frame values.
    static func series(_ n: Int, score: (Int) -> Float? = { $0 == 0 ? nil : 1 }, luma: (Int) -> Float = { _ in 100 },
                       black: (Int) -> Float = { _ in 0 }, motion: (Int) -> Float? = { $0 == 0 ? nil : 3 }) -> FrameSeries {
        var s = FrameSeries()
        for i in 0..<n {
            s.pts.append(Int64(i))
            s.score.append(score(i))
            s.motion.append(motion(i))
            s.lumaMean.append(luma(i))
            s.lumaMin.append(0)
            s.lumaMax.append(255)
            s.blackRatio.append(black(i))
            s.colourfulness.append(10)
            s.sharpness.append(100)
        }
        return s
    }

    @Test func cutsRespectThresholdAndMinimumSceneLength() {
        let s = Self.series(100, score: { [30: 40, 35: 50, 60: 26.9, 70: 27][$0] ?? 1 })
        let d = SceneDetector(settings: AnalysisSettings()).decide(s)
        #expect(d.starts.map(\.frame) == [30, 70])
        #expect(d.starts.map(\.kind) == [.cut, .cut])
    }

    @Test func fadesOutToBlackAndInFromBlack() {
        // 0–39 content at luma 120, 40–49 fade out, 50–59 black, 60–69 fade in, 70–99 content.
        let luma: (Int) -> Float = { i in
            switch i {
            case ..<40: 120
            case 40..<50: 120 - Float(i - 39) * 12
            case 50..<60: 0
            case 60..<70: Float(i - 59) * 12
            default: 120
            }
        }
        let s = Self.series(100, luma: luma, black: { i in luma(i) <= 0 ? 1 : 0 })
        let d = SceneDetector(settings: AnalysisSettings()).decide(s)
        #expect(d.fades.map(\.kind) == [.fadeOut, .fadeIn])
        #expect(d.fades.map(\.start) == [40, 60])
        #expect(d.fades.map(\.end) == [50, 70])
        #expect(d.starts.map(\.frame) == [60])
        #expect(d.starts.map(\.kind) == [.transition])
    }

    @Test func intervalsNeedTheirMinimumDuration() {
        let detector = IntervalDetector(time: { Double($0) / 25 })
        let holds: Set<Int> = Set(10..<22).union(50..<60).union(95..<100)
        #expect(detector.runs(count: 100, minSeconds: 0.4, holds: { holds.contains($0) }) == [10..<22, 50..<60])
        #expect(detector.runs(count: 100, minSeconds: 0, holds: { holds.contains($0) }) == [10..<22, 50..<60, 95..<100])
    }

    /// Writes one segment's analysis into `spool` the way the dispatcher does, and returns it.
    static func segment(_ index: Int, _ series: FrameSeries, first: FrameSignature, last: FrameSignature, spool: URL) throws -> CompletedSegment {
        let a = SegmentAnalysis(series: series, first: first, last: last, thumbnails: [
            .init(pts: series.pts[0], width: 2, height: 2, jpeg: Data([UInt8(index)]))], analysisSeconds: 0.1)
        let data = a.encoded()
        let sha = SHA256.hex(data)
        try data.write(to: spool.appendingPathComponent("\(sha).gfa"))
        let result = SegmentResult(job: "j", segment: index, attempt: 1, frames: series.count, firstPTS: series.pts.first!,
                                   lastPTS: series.pts.last!, reorderDepth: 0, corruptFrames: [], payloadSHA256: "p\(index)",
                                   payloadBytes: 0, decodeSeconds: 0, encodeSeconds: 0, analysisBytes: data.count, analysisSHA256: sha)
        return CompletedSegment(result: result, path: spool.appendingPathComponent("p\(index).gfps"), agent: "a\(index % 2)")
    }

    /// The record travels with its base64 unescaped (the decoder's fast path) and comes back equal.
    @Test func theRecordTravelsWithoutEscapedSlashes() throws {
        // 0xFF bytes are "////" in base64.
        let a = SegmentAnalysis(series: Self.series(3), first: Self.signature(0xFF), last: Self.signature(0xFF),
                                thumbnails: [.init(pts: 0, width: 2, height: 2, jpeg: Data(repeating: 0xFF, count: 30))], analysisSeconds: 0.1)
        let data = a.encoded()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("////") && !text.contains("\\/"))
        #expect(try JSONDecoder().decode(SegmentAnalysis.self, from: data) == a)
    }

    static func signature(_ value: UInt8) -> FrameSignature {
        FrameSignature(width: 2, height: 2, hsv: [UInt8](repeating: value, count: 12), luma: [UInt8](repeating: value, count: 4))
    }

    @Test func aCutExactlyAtASegmentBoundaryIsFoundFromTheSignatures() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("merger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        // Two segments of 50 frames; the second starts with entirely different content.
        var second = Self.series(50)
        second.pts = second.pts.map { $0 + 50 }
        let segments = [try Self.segment(0, Self.series(50), first: Self.signature(10), last: Self.signature(10), spool: spool),
                        try Self.segment(1, second, first: Self.signature(200), last: Self.signature(200), spool: spool)]
        let thumbs = spool.appendingPathComponent("thumbs")
        let merged = try AnalysisMerger(settings: AnalysisSettings(), timeBase: Rational(1, 25)).merge(segments.reversed(), thumbnails: thumbs)
        #expect(merged.frames == 100)
        #expect(merged.scenes.map(\.startFrame) == [0, 50])
        #expect(merged.scenes[1].kind == .cut)
        #expect(merged.scenes[1].score == 190)
        #expect(merged.scenes[1].start == 2.0)
        #expect(merged.duration == 4.0)
        #expect(merged.series?.motion[50] == 190)
        #expect(merged.segments.map(\.startFrame) == [0, 50])
        #expect(merged.scenes.map(\.thumbnail) == ["scene-0000.jpg", "scene-0001.jpg"])
        #expect(try Data(contentsOf: thumbs.appendingPathComponent("scene-0001.jpg")) == Data([1]))
        // The same frames as one segment decide the same.
        var whole = Self.series(50)
        whole.append(contentsOf: second)
        whole.score[50] = 190
        whole.motion[50] = 190
        let one = try Self.segment(0, whole, first: Self.signature(10), last: Self.signature(200), spool: spool)
        let single = try AnalysisMerger(settings: AnalysisSettings(), timeBase: Rational(1, 25)).merge([one], thumbnails: nil)
        #expect(single.scenes.map { [$0.startFrame, $0.endFrame] } == merged.scenes.map { [$0.startFrame, $0.endFrame] })
    }

    @Test func frozenIntervalsStartAtTheRepeatedFrame() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("merger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        // Frames 21–49 repeat frame 20; 80–99 are black.
        let s = Self.series(100, black: { $0 >= 80 ? 1 : 0 }, motion: { i in i == 0 ? nil : (21..<50).contains(i) ? 0 : 3 })
        let merged = try AnalysisMerger(settings: AnalysisSettings(), timeBase: Rational(1, 25))
            .merge([try Self.segment(0, s, first: Self.signature(1), last: Self.signature(1), spool: spool)], thumbnails: nil)
        #expect(merged.frozen.map { [$0.startFrame, $0.endFrame] } == [[20, 50]])
        #expect(merged.frozen.first?.duration == 1.2)
        #expect(merged.black.map { [$0.startFrame, $0.endFrame] } == [[80, 100]])
        #expect(merged.black.first?.end == 4.0)
    }
}
