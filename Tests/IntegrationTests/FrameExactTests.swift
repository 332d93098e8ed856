import Foundation
import Testing
import TestSupport

/// With the lossless ffv1 encoder, the farm's output decoded must equal the source decoded by
/// the ffmpeg CLI: same frames, same order, same hashes, same times (± one output tick), and
/// every audio track where the source has it.
@Suite("Frame-exact transcode against the ffmpeg oracle")
struct FrameExactTests {
    @Test("generated inputs", arguments: Fixture.allCases)
    func generated(_ fixture: Fixture) throws {
        try checkExact(source: try fixture.path(), segmentSeconds: 1, name: fixture.rawValue)
    }

    static let sharedClips: [String] = {
        guard let dir = TestPaths.sharedMedia else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { !$0.hasSuffix(".md") }.sorted()
    }()

    @Test("real-content clips in ../shared/media", .enabled(if: TestPaths.sharedMedia != nil, "../shared/media is absent"),
          arguments: sharedClips)
    func shared(_ clip: String) throws {
        try checkExact(source: TestPaths.sharedMedia!.appendingPathComponent(clip).path, segmentSeconds: 0.5, name: clip)
    }

    func checkExact(source: String, segmentSeconds: Double, name: String) throws {
        let dir = TestPaths.scratch("exact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "\(segmentSeconds)"])
        try #require(run.output.status == 0, "gopfarm failed on \(name): \(run.output.stderr)")
        let report = try #require(run.report)

        // Cut often enough to exercise the seams: every multi-GOP clip at least twice.
        let keys = try FarmCLI.keyFrameCount(source)
        #expect(report.segments.count >= min(3, keys), "\(name): \(report.segments.count) segments for \(keys) key frames")

        let expected = try FFmpegOracle.frames(source)
        let actual = try FFmpegOracle.frames(output)
        #expect(actual.count == expected.count, "\(name): \(actual.count) frames, source \(expected.count)")
        let firstDifference = zip(expected, actual).enumerated().first { $0.element.0.hash != $0.element.1.hash }
        #expect(firstDifference == nil, "\(name): frame \(firstDifference?.offset ?? -1) differs")
        let tick = 0.001 + 2e-6  // Matroska's millisecond, plus ffprobe's printed rounding
        let late = zip(expected, actual).enumerated().first { abs($0.element.0.time - $0.element.1.time) > tick }
        #expect(late == nil, "\(name): frame \(late?.offset ?? -1) at \(late?.element.1.time ?? 0) s, source \(late?.element.0.time ?? 0) s")

        try AudioSync.check(source: source, output: output, name: name)
    }
}

/// Each output audio track starts where the source's does and lasts as long (± one audio frame).
enum AudioSync {
    static func check(source: String, output: String, name: String) throws {
        let src = try FFmpegOracle.audioTracks(source)
        let out = try FFmpegOracle.audioTracks(output)
        #expect(out.count == src.count, "\(name): \(out.count) audio tracks, source \(src.count)")
        for (i, (s, o)) in zip(src, out).enumerated() {
            #expect(abs(s.start - o.start) <= 0.001 + 2e-6, "\(name): audio \(i) starts at \(o.start) s, source \(s.start) s")
            #expect(abs(s.duration - o.duration) <= max(s.frameDuration, 0.001) + 2e-6,
                    "\(name): audio \(i) lasts \(o.duration) s, source \(s.duration) s")
        }
    }
}
