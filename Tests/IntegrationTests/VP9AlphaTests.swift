import Foundation
import Testing
import TestSupport

/// WebM keeps VP9's transparency as a second VP9 frame beside each frame (a BlockAdditional),
/// which FFmpeg's own VP9 decoder, the ffmpeg CLI's default, does not read. The farm decoded such
/// a source opaque and wrote an opaque output without a word; it now decodes it with libvpx,
/// encodes the alpha with libvpx-vp9 and keeps it in Matroska/WebM, and says where it cannot.
@Suite("VP9 alpha")
struct VP9AlphaTests {
    /// 4 s of 320x240 with an alpha ramp that moves every frame, a key frame each second.
    static func source(in dir: URL) throws -> String {
        try UnusualInputTests.make(dir, "alpha.webm", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4,format=yuva420p,geq=lum='lum(X,Y)':cb='cb(X,Y)':cr='cr(X,Y)':a='mod(X+4*N,256)'",
            "-c:v", "libvpx-vp9", "-g", "25", "-deadline", "realtime", "-cpu-used", "8", "-crf", "30", "-b:v", "0",
        ])
    }

    /// libvpx's decode: the frames with their alpha plane (yuva420p).
    static let withAlpha = ["-c:v", "libvpx-vp9"]

    @Test("a VP9 source's alpha is kept, frame for frame, into WebM by libvpx-vp9")
    func keptInWebM() throws {
        let dir = TestPaths.scratch("vp9-alpha")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.source(in: dir)
        let output = dir.appendingPathComponent("out.webm").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--segment-seconds", "1", "--codec", "libvpx-vp9", "--crf", "0"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains { $0.contains("alpha") } == false, "\(run.report?.warnings ?? [])")
        #expect((run.report?.segments.count ?? 0) >= 2, "one segment would prove nothing about the seams")

        let expected = try FFmpegOracle.defaultOracle(source, inputFlags: Self.withAlpha)
        let actual = try FFmpegOracle.defaultOracle(output, inputFlags: Self.withAlpha)
        let opaque = try FFmpegOracle.defaultOracle(source)
        try #require(expected.frames.count == 100 && opaque.frames.count == 100)
        #expect(expected.frames[0].hash != opaque.frames[0].hash, "libvpx's decode has the alpha plane the default one lacks")
        let first = zip(expected.frames, actual.frames).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(actual.frames.count == 100 && first == nil, "\(actual.frames.count) frames; first differing with alpha: \(first.map(String.init) ?? "none")")
        try UnusualInputTests.expectSameFrames(source, output)
        let tags = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream_tags=alpha_mode",
                                                  "-of", "default=nw=1", output], timeout: 60)
        #expect(tags.stdout.lowercased().contains("alpha_mode=1"), "\(tags.stdout)")
    }

    @Test("where the alpha cannot be kept the job says so",
          arguments: [("x264.mp4", "libx264", "and libx264 encodes none"), ("vp9.mp4", "libvpx-vp9", "keeps it only in Matroska or WebM")])
    func saidWhereLost(_ name: String, _ codec: String, _ sentence: String) throws {
        let dir = TestPaths.scratch("vp9-alpha-\(codec)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.source(in: dir)
        let output = dir.appendingPathComponent(name).path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--codec", codec, "--no-analysis"]
                                        + (codec == "libx264" ? ["--preset", "ultrafast"] : ["--crf", "40"]))
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains { $0.contains("has an alpha channel (yuva420p)") && $0.contains(sentence) } == true,
                "\(run.report?.warnings ?? [])")
        #expect(try FFmpegOracle.countFrames(output) == 100)
    }
}
