import Foundation
import Testing
import TestSupport

/// Every supported encoder and the encoding options, end to end through real agents, checked
/// with ffprobe: codec, size, pixel format, frame count, key frame spacing, metadata.
@Suite("Encoders and options")
struct EncoderOptionsTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var arguments: [String]
        var output: String
        var codec: String
        var size: String
        var pixelFormat: String
        var description: String { name }
    }

    static let cases = [
        Case(name: "x264 bitrate gop scale", arguments: ["--codec", "libx264", "--bitrate", "400k", "--gop", "10", "--scale", "-2:120", "--preset", "veryfast"],
             output: "o.mp4", codec: "h264", size: "160x120", pixelFormat: "yuv420p"),
        Case(name: "x265 crf", arguments: ["--codec", "libx265", "--crf", "30", "--preset", "ultrafast"],
             output: "o.mkv", codec: "hevc", size: "320x240", pixelFormat: "yuv420p"),
        Case(name: "svt-av1", arguments: ["--codec", "libsvtav1", "--crf", "45", "--preset", "12", "--scale", "160x120"],
             output: "o.webm", codec: "av1", size: "160x120", pixelFormat: "yuv420p"),
        Case(name: "vp9 444", arguments: ["--codec", "libvpx-vp9", "--crf", "40", "--preset", "realtime", "--pix-fmt", "yuv444p"],
             output: "o.mkv", codec: "vp9", size: "320x240", pixelFormat: "yuv444p"),
        Case(name: "ffv1", arguments: ["--codec", "ffv1"], output: "o.mkv", codec: "ffv1", size: "320x240", pixelFormat: "yuv420p"),
        Case(name: "x264 mov", arguments: ["--codec", "libx264", "--preset", "ultrafast"], output: "o.mov", codec: "h264", size: "320x240", pixelFormat: "yuv420p"),
    ]

    @Test("encodes", arguments: cases)
    func encodes(_ c: Case) throws {
        let dir = TestPaths.scratch("enc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Fixture.h264BFramesMP4.path()
        let output = dir.appendingPathComponent(c.output).path
        let run = try FarmCLI.transcode(source, to: output, c.arguments + ["--agents", "2", "--segment-seconds", "1"])
        try #require(run.output.status == 0, "\(c.name): \(run.output.stderr)")
        let info = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                  "stream=codec_name,width,height,pix_fmt", "-of", "csv=p=0", output])
        #expect(info.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(c.codec),\(c.size.replacingOccurrences(of: "x", with: ",")),\(c.pixelFormat)",
                "\(c.name): \(info.stdout)")
        #expect(try FFmpegOracle.countFrames(output) == 100, "\(c.name)")
        if c.arguments.contains("--gop") {
            let keys = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags",
                                                      "-of", "csv=p=0", output]).stdout.split(separator: "\n").filter { $0.hasPrefix("K") }.count
            #expect(keys >= 10, "\(c.name): \(keys) key frames for 100 frames with --gop 10")
        }
    }

    @Test("HDR-ish colour metadata, 10-bit depth and open-GOP HEVC survive a transcode",
          .enabled(if: TestPaths.sharedMedia != nil, "../shared/media is absent"))
    func colourKept() throws {
        let dir = TestPaths.scratch("colour")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestPaths.sharedMedia!.appendingPathComponent("ax__dash_multi-gop_sample.video.mp4").path
        let output = dir.appendingPathComponent("o.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "libx265", "--preset", "ultrafast", "--crf", "35",
                                                             "--scale", "-2:240", "--agents", "2", "--segment-seconds", "1"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let fields = "stream=pix_fmt,color_range,color_primaries"
        let src = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", fields, "-of", "csv=p=0", source]).stdout
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", fields, "-of", "csv=p=0", output]).stdout
        #expect(out == src, "colour: source \(src), output \(out)")
        #expect(try FFmpegOracle.countFrames(output) == 73)
    }

    @Test("subtitles are copied where the container takes them")
    func subtitles() throws {
        let dir = TestPaths.scratch("subs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let srt = dir.appendingPathComponent("s.srt")
        try Data("1\n00:00:00,500 --> 00:00:02,000\nHello farm\n\n2\n00:00:02,500 --> 00:00:03,500\nBye\n".utf8).write(to: srt)
        let source = dir.appendingPathComponent("with-subs.mkv").path
        let make = try Subprocess.run("ffmpeg", ["-v", "error", "-i", try Fixture.h264BFramesMP4.path(), "-i", srt.path,
                                                 "-map", "0", "-map", "1", "-c", "copy", "-c:s", "srt", source])
        try #require(make.status == 0, "\(make.stderr)")
        let output = dir.appendingPathComponent("o.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--preset", "ultrafast"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.streams.contains("subtitle: subrip (copied)") == true, "\(run.report?.streams ?? [])")
        func subtitleText(_ path: String) throws -> String {
            try Subprocess.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:s:0", "-f", "srt", "-"]).stdout
        }
        let text = try subtitleText(output)
        #expect(text.contains("Hello farm") && text.contains("Bye"), "\(text)")
        #expect(text == (try subtitleText(source)), "subtitle cues moved: \(text)")
    }
}
