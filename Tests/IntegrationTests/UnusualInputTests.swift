import Foundation
import Testing
import TestSupport

/// Inputs a producer brings that a QA pass found broken (each generated here with the ffmpeg
/// CLI): each now transcodes as the ffmpeg CLI would, or is refused at once with one sentence.
@Suite("Unusual inputs")
struct UnusualInputTests {
    /// Makes `name` in `dir` with the ffmpeg CLI.
    static func make(_ dir: URL, _ name: String, _ arguments: [String]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let out = try Subprocess.run("ffmpeg", ["-hide_banner", "-v", "error", "-y"] + arguments + [path], timeout: 120)
        try #require(out.status == 0, "\(out.stderr)")
        return path
    }

    static let video = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2"]
    static func tone(_ rate: Int = 48000, _ frequency: Int = 440) -> [String] {
        ["-f", "lavfi", "-i", "sine=f=\(frequency):sample_rate=\(rate):duration=2"]
    }

    /// libx264 0.164 dereferenced a null chroma plane measuring the PSNR of gray (I400)
    /// pictures: every agent crashed on a grayscale source with the default codec.
    @Test("a grayscale source encodes with libx264, its quality measured")
    func grayscale() throws {
        let dir = TestPaths.scratch("gray")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "gray.mkv", Self.video + ["-pix_fmt", "gray", "-c:v", "ffv1", "-g", "25"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--segment-seconds", "1", "--preset", "ultrafast"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try FFmpegOracle.countFrames(output) == 50)
        #expect(run.output.stdout.contains("\"psnrAll\""), "\(run.output.stdout.prefix(2000))")
    }

    /// PCM in Matroska, AVI, MXF or QuickTime often carries a channel count and no layout;
    /// libswresample then refused every frame after the first ("Input changed").
    @Test("PCM without a channel layout is encoded to AAC")
    func pcmWithoutLayout() throws {
        let dir = TestPaths.scratch("pcm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "pcm.mkv", Self.video + Self.tone() + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let audio = try FFmpegOracle.audioTracks(output)
        #expect(audio.count == 1 && audio.first?.codec == "aac" && abs((audio.first?.duration ?? 0) - 2) < 0.05, "\(audio)")
    }

    /// Two captures joined: the audio switches from 48 kHz mono to 44.1 kHz stereo half way.
    @Test("audio whose rate and layout change mid-file is encoded through the change")
    func audioFormatChange() throws {
        let dir = TestPaths.scratch("audio-change")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Self.make(dir, "a.ts", Self.video + Self.tone() + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                                                                          "-c:a", "aac", "-output_ts_offset", "5"])
        let second = try Self.make(dir, "b.ts", Self.video + Self.tone(44100, 880) + ["-ac", "2", "-c:v", "libx264", "-preset", "ultrafast",
                                                                                     "-g", "25", "-c:a", "aac", "-output_ts_offset", "7.04"])
        let joined = dir.appendingPathComponent("joined.ts")
        try (try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))).write(to: joined)
        let output = dir.appendingPathComponent("out.webm").path
        let run = try FarmCLI.transcode(joined.path, to: output, ["--agents", "2", "--segment-seconds", "1", "--codec", "libvpx-vp9",
                                                                  "--preset", "realtime", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let audio = try FFmpegOracle.audioTracks(output)
        #expect(audio.count == 1 && audio.first?.codec == "opus" && abs((audio.first?.duration ?? 0) - 4.04) < 0.1, "\(audio)")
    }

    /// FFmpeg 5.1 writes FLAC into MP4 only as an experimental feature: the job encoded the whole
    /// video, then failed writing the header. FLAC is now encoded to AAC for MP4, as for MOV.
    @Test("FLAC audio into MP4 is encoded to AAC")
    func flacIntoMP4() throws {
        let dir = TestPaths.scratch("flac")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "flac.mkv", Self.video + Self.tone(44100) + ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "flac"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try FFmpegOracle.audioTracks(output).map(\.codec) == ["aac"])
    }

    /// `--scale 1280x720` of an anamorphic PAL picture (720x576 at 64:45, shown 16:9) kept the
    /// 64:45 pixels: the output showed 2.53:1. A scale keeps the display aspect, as ffmpeg's does.
    @Test("a scaled anamorphic source keeps its display aspect", arguments: ["1280x720", "-2:360"])
    func anamorphicScale(_ scale: String) throws {
        let dir = TestPaths.scratch("anamorphic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.make(dir, "pal.mp4", ["-f", "lavfi", "-i", "testsrc2=size=720x576:rate=25:duration=1", "-vf", "setsar=64/45",
                                                    "-c:v", "libx264", "-preset", "ultrafast"])
        let output = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "1", "--scale", scale, "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try FFmpegOracle.videoStream(output)
        #expect(stream["display_aspect_ratio"] == "16:9", "\(stream)")
    }

    /// Two captures joined, 320x240 then 640x360: the segments after the change were coded at
    /// the new size into one stream, which decoded as garbage. Now scaled to the size the stream
    /// starts with, as the ffmpeg CLI does, into ffv1 and x264 alike.
    @Test("a picture size change mid-stream is scaled to the first size", arguments: ["mkv", "mp4"])
    func sizeChange(_ container: String) throws {
        let dir = TestPaths.scratch("size-change")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try Self.make(dir, "a.ts", Self.video + ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "5"])
        let second = try Self.make(dir, "b.ts", ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=2", "-c:v", "libx264",
                                                 "-preset", "ultrafast", "-g", "25", "-output_ts_offset", "7.04"])
        let joined = dir.appendingPathComponent("joined.ts")
        try (try Data(contentsOf: URL(fileURLWithPath: first)) + Data(contentsOf: URL(fileURLWithPath: second))).write(to: joined)
        let output = dir.appendingPathComponent("out.\(container)").path
        let codec = container == "mkv" ? ["--codec", "ffv1"] : ["--preset", "ultrafast"]
        let run = try FarmCLI.transcode(joined.path, to: output, codec + ["--agents", "2", "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let decode = try Subprocess.run("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"], timeout: 120)
        #expect(decode.status == 0 && decode.stderr.isEmpty, "decoding the output: \(decode.stderr.prefix(500))")
        let sizes = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=width,height",
                                                   "-of", "csv=p=0", output], timeout: 120)
        let lines = sizes.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ", ")) }
        #expect(lines.count == 100 && Set(lines) == ["320,240"], "\(lines.count) frames, sizes \(Set(lines))")
    }
}
