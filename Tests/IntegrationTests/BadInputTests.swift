import Foundation
import Testing
import TestSupport

/// Bad input gets one clear sentence and a non-zero exit, never a crash, a hang, or a file
/// left behind that looks valid.
@Suite("Bad input")
struct BadInputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var makeInput: @Sendable (URL) throws -> String
        var arguments: [String]
        var expect: String
        /// A value the rules refuse before any work is a usage error: exit 64 and a hint line.
        var usage = false
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing path", makeInput: { $0.appendingPathComponent("nope.mp4").path }, arguments: [], expect: "no such file"),
        Case(name: "empty file", makeInput: { dir in
            let p = dir.appendingPathComponent("empty.mp4").path
            FileManager.default.createFile(atPath: p, contents: Data())
            return p
        }, arguments: [], expect: "empty"),
        Case(name: "not a video", makeInput: { dir in
            let p = dir.appendingPathComponent("notes.mp4").path
            try Data(String(repeating: "this is a shopping list, not a film\n", count: 200).utf8).write(to: URL(fileURLWithPath: p))
            return p
        }, arguments: [], expect: "not a video file"),
        Case(name: "audio only", makeInput: { dir in
            let p = dir.appendingPathComponent("tone.m4a").path
            _ = try Subprocess.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", p])
            return p
        }, arguments: [], expect: "no video stream"),
        Case(name: "unsupported codec", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--codec", "libxvid"], expect: "unsupported codec", usage: true),
        Case(name: "bad preset", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--preset", "warp-speed"], expect: "is not a libx264 preset", usage: true),
        Case(name: "absurd crf", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--crf", "99"], expect: "crf for libx264 must be between 0 and 51, not 99", usage: true),
        Case(name: "bad scale", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--scale", "huge"], expect: "scale takes WIDTHxHEIGHT", usage: true),
        Case(name: "unknown pixel format", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--pix-fmt", "yuv999p"], expect: "unknown pixel format", usage: true),
        Case(name: "odd side for x264", makeInput: { _ in try Fixture.oddDimensionsMKV.path() },
             arguments: [], expect: "the video is 853x481 and libx264 cannot code an odd side in yuv420p"),
        Case(name: "odd side for SVT-AV1", makeInput: { _ in try Fixture.oddDimensionsMKV.path() },
             arguments: ["--codec", "libsvtav1", "--output-override", "out.mkv"],
             expect: "the video is 853x481 and libsvtav1 cannot code an odd side in yuv420p; give --scale with even sides (-2 keeps the aspect), or another codec (libvpx-vp9, ffv1)"),
        Case(name: "too small for SVT-AV1", makeInput: { dir in
            let p = dir.appendingPathComponent("tiny.mp4").path
            _ = try Subprocess.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=48x32:rate=25:duration=1", "-c:v", "libx264", p])
            return p
        }, arguments: ["--codec", "libsvtav1", "--output-override", "out.mkv"],
             expect: "the video is 48x32 and libsvtav1 codes pictures of at least 64x64; give --scale to at least 64 on each side, or another codec (libx264, libvpx-vp9, ffv1)"),
        Case(name: "output named as a directory", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--output-override", "out.mp4/"], expect: "out.mp4/ ends with a slash, so it names a directory; name the file to write", usage: true),
        // QA: as root `-o /nonexistdir/x.mp4` created /nonexistdir; a typo in a folder is refused.
        Case(name: "output in a folder that is not there", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--output-override", "outdir/x.mp4"], expect: "outdir does not exist; create it first (mkdir -p ", usage: true),
        // QA: a ladder's `-o /nonexistent/dir/x` created /nonexistent/dir; refused as a file's is.
        Case(name: "ladder directory in a folder that is not there", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--ladder", "240p:300k", "--output-override", "outdir/film/"], expect: "outdir does not exist; create it first (mkdir -p ", usage: true),
        Case(name: "unsupported container", makeInput: { _ in try Fixture.h264BFramesMP4.path() },
             arguments: ["--output-override", "out.avi"], expect: "cannot write '.avi' files", usage: true),
    ]

    @Test("fails with one sentence", arguments: cases)
    func rejects(_ c: Case) throws {
        let dir = TestPaths.scratch("bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try c.makeInput(dir)
        var args = c.arguments
        var output = dir.appendingPathComponent("out.mp4").path
        if let i = args.firstIndex(of: "--output-override") {
            output = dir.path + "/" + args[i + 1]   // as typed: a trailing slash kept
            args.removeSubrange(i...(i + 1))
        }
        let run = try FarmCLI.transcode(input, to: output, args + ["--agents", "1"], timeout: 120)
        #expect(!run.output.timedOut, "\(c.name): gopfarm hung")
        #expect(run.output.status == (c.usage ? 64 : 1), "\(c.name): exit status \(run.output.status)")
        let lines = run.output.stderr.split(separator: "\n")
        #expect(lines.count == (c.usage ? 2 : 1), "\(c.name): expected \(c.usage ? "a sentence and a hint" : "one line"), got: \(run.output.stderr)")
        if c.usage { #expect(lines.last == "hint: see 'gopfarm transcode --help'", "\(c.name): \(run.output.stderr)") }
        #expect(run.output.stderr.hasPrefix("gopfarm: error: "), "\(c.name): \(run.output.stderr)")
        #expect(run.output.stderr.contains(c.expect), "\(c.name): '\(run.output.stderr)' lacks '\(c.expect)'")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("out") || $0.hasPrefix(".gopfarm") }
        #expect(leftovers.isEmpty, "\(c.name): left behind \(leftovers)")
    }

    @Test("a truncated file transcodes its decodable part with a warning",
          .enabled(if: TestPaths.sharedMedia != nil, "../shared/media is absent"))
    func truncated() throws {
        let source = TestPaths.sharedMedia!.appendingPathComponent("flower_truncated_tail.mp4").path
        let dir = TestPaths.scratch("trunc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--segment-seconds", "2", "--preset", "ultrafast"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let report = try #require(run.report)
        #expect(report.warnings.contains { $0.contains("truncated") && $0.contains("34 frames") }, "\(report.warnings)")
        #expect(try FFmpegOracle.countFrames(output) == FFmpegOracle.countFrames(source))
    }

    /// MPEG-TS captures whose timestamps repeat and jump back (cases of the fuzz harness, made by
    /// `bench/fuzz.py`, seed 1): gopfarm refused them, where the ffmpeg CLI decodes them. Now the
    /// video is one segment and every frame the decoder shows is kept in its order, timed as
    /// FFmpeg's tools time it, so the oracle gives the CLI's frame count on the output, and on
    /// case 93 (no frame decoded from a damaged packet) the CLI's frames.
    @Test("a TS whose timestamps repeat and jump back gives the frames the CLI decodes", arguments: [33, 49, 93])
    func disorderedTimestamps(_ number: Int) throws {
        let dir = TestPaths.scratch("disordered")
        defer { try? FileManager.default.removeItem(at: dir) }
        let make = try Subprocess.run("python3", [TestPaths.packageRoot.appendingPathComponent("bench/fuzz.py").path, "--seed", "1",
                                                  "--only", "\(number)", "--agents", "none", "--keep", "--work", dir.path], timeout: 300)
        try #require(make.status == 0, "\(make.stderr)")
        let source = dir.appendingPathComponent("cases/case-1-\(String(format: "%04d", number)).ts").path
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--agents", "2", "--segment-seconds", "0.5"])
        try #require(run.output.status == 0, "case \(number): \(run.output.stderr)")
        let report = try #require(run.report)
        #expect(report.segments.count == 1)
        #expect(report.warnings.contains { $0.hasPrefix("the video's timestamps are damaged (") }, "\(report.warnings)")
        let expected = try FFmpegOracle.defaultOracle(source), actual = try FFmpegOracle.defaultOracle(output)
        #expect(actual.frames.count == expected.frames.count, "case \(number): \(actual.frames.count) frames, the CLI decodes \(expected.frames.count)")
        if number == 93 { #expect(actual.frames.map(\.hash) == expected.frames.map(\.hash)) }
    }
}
