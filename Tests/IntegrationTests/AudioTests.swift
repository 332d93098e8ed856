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
}
