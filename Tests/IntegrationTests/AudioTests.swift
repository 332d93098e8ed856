import Foundation
import Testing
import TestSupport

/// Audio is handled once over the whole file: copied when the output container takes it,
/// otherwise encoded once (AAC for MP4/MOV, Opus for WebM). Either way its content stays
/// where it was against the video.
@Suite("Audio")
struct AudioTests {
    struct Case: Sendable, CustomStringConvertible {
        var fixture: Fixture
        var output: String
        var codec: String
        var expectAudio: String
        var description: String { "\(fixture.rawValue) → \(output)" }
    }

    static let cases = [
        Case(fixture: .noiseAudioMP4, output: "out.webm", codec: "libvpx-vp9", expectAudio: "aac → opus"),
        Case(fixture: .noiseAudioMP4, output: "out.mp4", codec: "libx264", expectAudio: "aac (copied)"),
        Case(fixture: .noiseAudioMP4, output: "out.mkv", codec: "libx264", expectAudio: "aac (copied)"),
        Case(fixture: .noiseOpusMKV, output: "out.mkv", codec: "libx264", expectAudio: "opus (copied)"),
        Case(fixture: .noiseOpusMKV, output: "out.mp4", codec: "libx264", expectAudio: "opus (copied)"),
        Case(fixture: .noiseOpusMKV, output: "out.mov", codec: "libx264", expectAudio: "opus → aac"),
        Case(fixture: .mpeg2TS, output: "out.mp4", codec: "libx264", expectAudio: "mp2 → aac"),
    ]

    @Test("audio content stays aligned with the video", arguments: cases)
    func aligned(_ c: Case) throws {
        let dir = TestPaths.scratch("audio")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try c.fixture.path()
        let output = dir.appendingPathComponent(c.output).path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--codec", c.codec, "--segment-seconds", "1", "--preset",
                                                             c.codec == "libvpx-vp9" ? "realtime" : "veryfast"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let report = try #require(run.report)
        #expect(report.streams.contains { $0.contains(c.expectAudio) }, "\(report.streams)")
        let offset = try AudioAlignment.offset(source: source, output: output, track: 0)
        #expect(abs(offset) <= 0.0015, "audio content is \(offset * 1000) ms off in \(c.output)")
        let src = try FFmpegOracle.audioTracks(source), out = try FFmpegOracle.audioTracks(output)
        let frame = max(src[0].frameDuration, out[0].frameDuration)
        #expect(abs(src[0].duration - out[0].duration) <= frame + 0.001, "audio lasts \(out[0].duration) s, source \(src[0].duration) s")
    }

    /// `--audio-bitrate`: audio the output could copy is encoded at the rate asked, AAC into MP4,
    /// Opus into Matroska, still where it was against the video and as long.
    @Test("--audio-bitrate encodes what would be copied, at that rate", arguments: [("out.mp4", "aac → aac", "aac"), ("out.mkv", "aac → opus", "opus")])
    func encodedAtRate(_ output: String, _ streams: String, _ codec: String) throws {
        let dir = TestPaths.scratch("audio-rate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Fixture.noiseAudioMP4.path()
        let path = dir.appendingPathComponent(output).path
        let run = try FarmCLI.transcode(source, to: path, ["--agents", "2", "--segment-seconds", "1", "--preset", "veryfast", "--audio-bitrate", "48k",
                                                           "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try #require(run.report).streams.contains { $0.contains(streams) }, "\(run.report?.streams ?? [])")
        let probe = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name:format=duration",
                                                   "-of", "csv=p=0", path], timeout: 60)
        #expect(probe.stdout.hasPrefix(codec), "\(probe.stdout)")
        // The rate asked, measured: the audio's bytes over its time (a copy of the source is 128k).
        let sizes = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries", "packet=size", "-of", "csv=p=0", path],
                                       timeout: 60)
        let total = sizes.stdout.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ", "))) }.reduce(0, +)
        let out = try FFmpegOracle.audioTracks(path)
        let rate = Double(8 * total) / out[0].duration
        #expect(rate > 36_000 && rate < 60_000, "\(output): \(rate) bit/s for 48k")
        let offset = try AudioAlignment.offset(source: source, output: path, track: 0)
        #expect(abs(offset) <= 0.0015, "audio content is \(offset * 1000) ms off in \(output)")
        let src = try FFmpegOracle.audioTracks(source)
        let frame = max(src[0].frameDuration, out[0].frameDuration)
        #expect(abs(src[0].duration - out[0].duration) <= frame + 0.001, "audio lasts \(out[0].duration) s, source \(src[0].duration) s")
    }

    /// QA: Opus from an 8 kHz source was encoded at 8 kHz, whose priming Matroska counts in 48 kHz
    /// samples: 6 ms late. And a rate over what the encoder can spend failed the job after the
    /// whole video was encoded (libopus: 256k a channel); it is now the most it takes, with a warning.
    @Test("Opus from an 8 kHz source is in sync; a rate over the encoder's most is that most, said")
    func lowRateSourceAndCap() throws {
        let dir = TestPaths.scratch("audio-8k")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try UnusualInputTests.make(dir, "mono8k.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-f", "lavfi", "-i", "anoisesrc=color=pink:duration=4:sample_rate=8000:seed=5",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-ac", "1",
        ])
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--segment-seconds", "1", "--preset", "ultrafast", "--no-analysis",
                                                             "--audio-bitrate", "300k"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains("audio stream 1: 300k is more than opus can spend on 1 channel(s) at 48 kHz; it is encoded at 256k, the most it takes") == true,
                "\(run.report?.warnings ?? [])")
        let offset = try AudioAlignment.offset(source: source, output: output, track: 0)
        #expect(abs(offset) <= 0.0015, "audio content is \(offset * 1000) ms off")
    }
}
