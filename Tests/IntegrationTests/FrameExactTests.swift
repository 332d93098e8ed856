import Foundation
import Testing
import TestSupport

/// With a lossless encoder, the farm's output must give the issue's oracle,
/// `ffmpeg -i OUT -map 0:v:0 -f framemd5 -` with ffmpeg's default flags, the same frames as the
/// source gives it: same count, same hashes in the same order, and times within 3 ms, in
/// Matroska, MP4 and QuickTime (see `containers`), on every generated fixture, every clip
/// in ../shared/media and the clips in ../shared/media-new that the product must handle; and
/// every audio track where the source has it.
///
/// Default flags matter: the CLI's default for framemd5 (`-fps_mode vfr`) puts frames on a grid of
/// the frame rate it guesses from what the file declares and drops frames that collide on it, so
/// an output that declares another frame rate than the source loses frames here, as it would in
/// any ffmpeg re-encode a user runs with default flags.
@Suite("Frame-exact transcode against the ffmpeg oracle")
struct FrameExactTests {
    /// The issue's runs, FFV1 into Matroska and into MP4 (which FFmpeg 5.1's `mp4` muxer has no
    /// tag for, so gopfarm writes that `.mp4` in QuickTime's layout and says so), and a third,
    /// `mp4-h264`: lossless H.264 (`--crf 0`, which gopfarm asks of x264 as qp 0 at every bit
    /// depth) into a real ISO MP4, with B-frames, so reordering, ctts and edit lists are exercised.
    static let containers = ["mkv", "mp4", "mp4-h264"]
    /// x264 cannot code an odd side in 4:2:0 (gopfarm refuses with a sentence), so a clip with
    /// one goes into `mp4-h264` as lossless VP9 (`--crf 0` is libvpx's lossless mode too).
    static func losslessSettings(_ container: String, source: String) throws -> [String] {
        if container != "mp4-h264" { return ["--codec", "ffv1"] }
        let s = try FFmpegOracle.videoStream(source)
        let odd = [s["width"], s["height"]].contains { Int($0 ?? "0").map { $0 % 2 == 1 } ?? false }
        return odd ? ["--codec", "libvpx-vp9", "--crf", "0", "--preset", "realtime"] : ["--codec", "libx264", "--crf", "0", "--preset", "veryfast"]
    }

    @Test("generated inputs", arguments: Fixture.allCases, containers)
    func generated(_ fixture: Fixture, _ container: String) throws {
        try checkExact(source: try fixture.path(), container: container, name: fixture.rawValue)
    }

    static let sharedClips: [String] = {
        guard let dir = TestPaths.sharedMedia else { return [] }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { !$0.hasSuffix(".md") }.sorted()
    }()

    @Test("real-content clips in ../shared/media", .enabled(if: TestPaths.sharedMedia != nil, "../shared/media is absent"),
          arguments: sharedClips, containers)
    func shared(_ clip: String, _ container: String) throws {
        try checkExact(source: TestPaths.sharedMedia!.appendingPathComponent(clip).path, container: container, name: clip)
    }

    /// ../shared/media-new, read by name: the clips written for this test.
    static let newMedia: URL? = TestPaths.sharedMedia.map { $0.deletingLastPathComponent().appendingPathComponent("media-new") }
    static let newClips = ["mei__sony_a7m3.mts"]  // AVCHD, field-coded (PAFF) H.264, top field first

    /// Input flags for the oracle on a *source*, where its defaults judge the CLI rather than the
    /// file. On mei__sony_a7m3.mts the CLI's MPEG-TS discontinuity correction moves the video
    /// 80 ms earlier after the first packet (its two leading B-frames then sit before zero), and
    /// the vfr sync drops the first of the 13 frames the decoder gives (`-debug_ts` shows the
    /// offset change from -1.04 to -1.12 s). `-copyts` turns that correction off and nothing else:
    /// all 13 frames, the ones ffprobe -count_frames counts; a remux of the file by the CLI
    /// into Matroska gives the same 13.
    static let sourceOracleFlags = ["mei__sony_a7m3.mts": ["-copyts"]]

    @Test("real-content clips in ../shared/media-new",
          .enabled(if: newMedia.map { FileManager.default.fileExists(atPath: $0.path) } ?? false, "../shared/media-new is absent"),
          arguments: newClips, containers)
    func sharedNew(_ clip: String, _ container: String) throws {
        try checkExact(source: Self.newMedia!.appendingPathComponent(clip).path, container: container, name: clip)
    }

    /// A rotated phone clip looks the same in every container: MP4 keeps its display matrix;
    /// FFmpeg 5.1's Matroska cannot store one, so gopfarm turns the pictures upright (as the CLI
    /// does when it transcodes), 8 and 10 bits.
    @Test("rotated sources", arguments: ["90 yuv420p", "180 yuv420p10le", "270 yuv420p"], ["mkv", "mp4"])
    func rotated(_ turn: String, _ container: String) throws {
        let parts = turn.split(separator: " ")
        try checkExact(source: try RotatedClip.path(degrees: Int(parts[0])!, pixelFormat: String(parts[1])), container: container,
                       name: "rotated \(turn)")
    }

    /// 4:2:2 chroma turned by 90° would be subsampled down instead of across: gopfarm keeps the
    /// pictures as stored and says so in one warning (MP4 would have kept the rotation).
    @Test("a rotated source that cannot be turned is kept as stored, with a warning")
    func rotatedUnturnable() throws {
        let source = try RotatedClip.path(degrees: 90, pixelFormat: "yuv422p")
        let dir = TestPaths.scratch("exact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "1"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let warnings = try #require(run.report).warnings
        #expect(warnings.contains { $0.hasPrefix("the source is rotated -90°, which FFmpeg 5.1's Matroska muxer cannot store, and gopfarm cannot turn the pictures upright (yuv422p's chroma is subsampled across but not down") },
                "\(warnings)")
        let expected = try FFmpegOracle.defaultOracle(source, autorotate: false), actual = try FFmpegOracle.defaultOracle(output, autorotate: false)
        #expect(expected.frames.map(\.hash) == actual.frames.map(\.hash))
    }

    func checkExact(source: String, container: String, name: String) throws {
        let dir = TestPaths.scratch("exact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let label = "\(name) → .\(container)"
        let output = dir.appendingPathComponent("out.\(container.prefix { $0 != "-" })").path
        // Three agents: the plan is cut for three slots, so every clip with three key frames has
        // at least three segments (two seams) however short it is.
        let run = try FarmCLI.transcode(source, to: output, Self.losslessSettings(container, source: source) + ["--agents", "3", "--segment-seconds", "1"])
        try #require(run.output.status == 0, "gopfarm failed on \(label): \(run.output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        let report = try #require(run.report)

        // Rotation is applied on both sides, as the CLI does by default: MP4 keeps the display
        // matrix; FFmpeg 5.1's Matroska cannot store one, so gopfarm turns the pictures upright.
        let expected = try FFmpegOracle.defaultOracle(source, inputFlags: Self.sourceOracleFlags[name] ?? [])
        let actual = try FFmpegOracle.defaultOracle(output)
        let facts = try describe(source, expected) + "; output " + describe(output, actual)

        #expect(actual.frames.count == expected.frames.count,
                "\(label): the oracle gives \(actual.frames.count) frames, source \(expected.frames.count) (source \(facts))")
        let firstDifference = zip(expected.frames, actual.frames).enumerated().first { $0.element.0.hash != $0.element.1.hash }
        #expect(firstDifference == nil, "\(label): frame \(firstDifference?.offset ?? -1) differs (of \(min(expected.frames.count, actual.frames.count)) compared; \(expected.dimensions) → \(actual.dimensions))")
        let tolerance = 0.003 + 1e-9
        let late = zip(expected.frames, actual.frames).enumerated().first { abs($0.element.0.time - $0.element.1.time) > tolerance }
        #expect(late == nil, "\(label): frame \(late?.offset ?? -1) at \(late?.element.1.time ?? 0) s, source \(late?.element.0.time ?? 0) s (relative to the first frame; source \(facts))")

        let sourceOrder = try FFmpegOracle.videoStream(source)["field_order"] ?? "unknown"
        if !["progressive", "unknown"].contains(sourceOrder) {
            #expect(try FFmpegOracle.videoStream(output)["field_order"] == sourceOrder, "\(label): field order (source \(facts))")
        }

        // Cut often enough to exercise the seams: every multi-GOP clip at least twice (damaged
        // timestamps are decoded in one piece, by design).
        if let keys = try? FarmCLI.keyFrameCount(source), !report.warnings.contains(where: { $0.contains("timestamps are damaged") }) {
            #expect(report.segments.count >= min(3, keys), "\(label): \(report.segments.count) segments for \(keys) key frames")
        }

        try AudioSync.check(source: source, output: output, name: label)
    }

    private func describe(_ path: String, _ run: FFmpegOracle.OracleRun) throws -> String {
        let s = try FFmpegOracle.videoStream(path)
        return "tb \(run.timeBase), r \(s["r_frame_rate"] ?? "?"), avg \(s["avg_frame_rate"] ?? "?"), field_order \(s["field_order"] ?? "?")"
    }
}

/// Each output audio track is where the source's is. A copied track is the same packets: it
/// starts within 1 ms of the source's and lasts as long (± one frame). A re-encoded track starts
/// with the new encoder's priming, which edit lists and CodecDelay hide from players, so its
/// packets cannot be compared: its decoded sound must last as long within two frames (the new
/// codec's padding), and `AudioTests` cross-correlates re-encoded content with the source's on
/// noise fixtures (the tones of these fixtures correlate at every period).
enum AudioSync {
    static func check(source: String, output: String, name: String) throws {
        let src = try FFmpegOracle.audioTracks(source)
        let out = try FFmpegOracle.audioTracks(output)
        #expect(out.count == src.count, "\(name): \(out.count) audio tracks, source \(src.count)")
        let reencoded = zip(src, out).contains { $0.codec != $1.codec }
        let decodedSource = reencoded ? try FFmpegOracle.decodedAudioTracks(source) : []
        let decodedOutput = reencoded ? try FFmpegOracle.decodedAudioTracks(output) : []
        for (i, (s, o)) in zip(src, out).enumerated() {
            if s.codec == o.codec {
                #expect(abs(s.start - o.start) <= 0.001 + 2e-6, "\(name): audio \(i) starts at \(o.start) s, source \(s.start) s")
                #expect(abs(s.duration - o.duration) <= max(s.frameDuration, 0.001) + 2e-6,
                        "\(name): audio \(i) lasts \(o.duration) s, source \(s.duration) s")
            } else {
                let sd = decodedSource[i], od = decodedOutput[i]
                #expect(abs(sd.duration - od.duration) <= 2 * max(sd.frameDuration, od.frameDuration) + 0.001,
                        "\(name): audio \(i) (\(s.codec) → \(o.codec)) sounds for \(od.duration) s, source \(sd.duration) s")
            }
        }
    }
}
