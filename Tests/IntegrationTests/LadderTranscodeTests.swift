import Foundation
import Testing
import TestSupport

/// `gopfarm transcode --ladder … --package hls,dash`: every rung of every clip is frame-exact
/// against the source (count and timestamps), has its IDR frames at the same source frames as
/// every other rung, fits EXT-X-TARGETDURATION, and is read by ffmpeg through master.m3u8 and
/// manifest.mpd; the playlists pass RFC 8216's rules as the `m3u8` package parses them
/// (Tests/tools/stream_check.py); and headless Chromium plays every CMAF track through Media
/// Source Extensions (Tests/tools/mse_play.py).
@Suite("Ladder transcode: HLS and DASH from one decode")
struct LadderTranscodeTests {
    struct Report: Decodable {
        struct Rendition: Decodable {
            var name: String
            var width: Int
            var height: Int
            var frames: Int
            var bytes: Int
            var averageBitrate: Int
            var psnr: Double?
        }
        var frames: Int
        var sourceFrames: Int
        var renditions: [Rendition]?
        var warnings: [String]
    }

    /// Generated clips (B-frames and AAC; open-GOP HEVC; two audio tracks; interlaced MBAFF in
    /// MPEG-TS, which a ladder deinterlaces; pink-noise audio; B-frames in AVI and MPEG-2 in a
    /// VOB, whose B-frames have no timestamps; a stream whose random access points are not IDR;
    /// VFR without audio) and four real ones (a web clip with audio, a VFR DASH sample, a
    /// broadcast TS, a rotated phone clip).
    static let generated: [Fixture] = [.h264BFramesMP4, .hevcOpenGOPMKV, .twoAudioMKV, .h264MBAFFTopFirstTS, .noiseAudioMP4,
                                       .h264BFramesAVI, .mpeg2ProgramStreamVOB, .h264NonIDRStartMP4, .vfrMP4]
    /// Sources whose audio can be aligned by cross-correlation (not silence, not a pure tone):
    /// there the package's A/V offset must be measured, not skipped.
    static let alignable: Set<String> = ["mdn__friday.mp4", "tsduck__test-072.ts", Fixture.noiseAudioMP4.rawValue]
    // mei__with-gps.mov is a portrait phone clip stored landscape: RESOLUTION is the size it shows as.
    static let shared = ["mdn__friday.mp4", "ax__dash_multi-gop_sample.video.mp4", "tsduck__test-072.ts", "mei__with-gps.mov"]
    /// Clips `ffmpeg -i master.m3u8` and `-i manifest.mpd` read with every frame at the source's
    /// pts, no shift: their package's audio starts no earlier against the video than the source's
    /// (copied AAC that starts with it, or no audio). The others' package audio starts earlier (AAC
    /// priming; a TS whose audio leads, which the CLI reads from its video), and the CLI reads them
    /// later by that lead at most (stream_check's rule).
    static let exactThroughManifests: Set<String> = [
        "mdn__friday.mp4", "ax__dash_multi-gop_sample.video.mp4", "tsduck__test-072.ts", "mei__with-gps.mov",
        Fixture.twoAudioMKV.rawValue, Fixture.h264NonIDRStartMP4.rawValue, Fixture.vfrMP4.rawValue,
    ]

    /// Two rungs under the source's height: the top at the source's (even) height, one at half.
    static func ladder(for source: String) throws -> String {
        let height = Int(try FFmpegOracle.videoStream(source)["height"] ?? "0") ?? 0
        let top = height & ~1, low = max(16, (height / 2) & ~1)
        return "\(top)p:1500k,\(low)p:400k"
    }

    func packageAndCheck(_ source: String, label: String, play: Bool) throws {
        let dir = TestPaths.scratch("ladder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, [
            "transcode", source, "-o", out + "/", "--json", "--quiet", "--agents", "2", "--segment-seconds", "2",
            "--ladder", try Self.ladder(for: source), "--package", "hls,dash", "--package-seconds", "1",
            "--preset", "ultrafast", "--no-analysis",
        ], timeout: 600)
        try #require(run.status == 0, "\(label): \(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let renditions = try #require(report.renditions)
        #expect(renditions.count == 2, "\(label)")
        #expect(renditions.allSatisfy { $0.frames == report.frames && $0.bytes > 0 }, "\(label)")
        if label.contains("mbaff") { #expect(report.warnings.contains { $0.contains("deinterlaced") }, "\(label): \(report.warnings)") }
        for file in ["master.m3u8", "manifest.mpd"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/\(file)").path), "\(label): \(file)")
        }
        let measure = Self.alignable.contains(label) ? ["--require-av-offset"] : []
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source] + measure, timeout: 600)
        #expect(check.status == 0, "\(label): stream_check found problems:\n\(check.stdout)\(check.stderr)")
        if Self.exactThroughManifests.contains(label) {
            #expect(!check.stdout.contains("later than the source's through the CLI"), "\(label): a shifted read:\n\(check.stdout)")
        }
        if play, StreamOracleTests.missingBrowser == nil {
            let played = try Subprocess.run("python3", [StreamOracleTests.msePlay, out], timeout: 600)
            #expect(played.status == 0, "\(label): a track did not play through MSE:\n\(played.stdout)\(played.stderr)")
        }
    }

    @Test("generated clips", .enabled(if: StreamOracleTests.missingParser == nil, Comment(rawValue: StreamOracleTests.missingParser ?? "")),
          arguments: generated)
    func generatedClips(_ fixture: Fixture) throws {
        // HEVC sources are decoded and re-encoded as H.264 rungs: every one of them plays in Chromium.
        try packageAndCheck(try fixture.path(), label: fixture.rawValue, play: fixture == .h264BFramesMP4)
    }

    /// H.264 and AV1 rungs side by side. SVT-AV1 makes no key frame where asked, so an AV1 rung
    /// starts a fresh encoder at each packaging segment (1 s here, two per 2 s farm segment):
    /// the checker finds its IDRs where the H.264 rung has them, every frame at the source's
    /// time, an `av01` CODECS string Chromium takes, and both tracks play through MSE.
    @Test("an AV1 rung beside an H.264 one", .enabled(if: StreamOracleTests.missingParser == nil, Comment(rawValue: StreamOracleTests.missingParser ?? "")))
    func av1BesideH264() throws {
        let dir = TestPaths.scratch("ladder-av1")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Fixture.h264BFramesMP4.path()
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, [
            "transcode", source, "-o", out, "--json", "--quiet", "--agents", "2", "--segment-seconds", "2",
            "--ladder", "240p:600k,240p:400k:libsvtav1:preset=12", "--package", "hls,dash", "--package-seconds", "1",
            "--preset", "ultrafast", "--no-analysis",
        ], timeout: 600)
        try #require(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.renditions?.map(\.name) == ["240p", "240p-av1"])
        // --json lists what status --json does: CODECS per rendition, the audio renditions.
        struct Listed: Decodable { struct R: Decodable { var codecs: String }; var renditions: [R]; var audioTracks: [R] }
        let listed = try JSONDecoder().decode(Listed.self, from: Data(run.stdout.utf8))
        #expect(listed.renditions.map { String($0.codecs.prefix(5)) } == ["avc1.", "av01."] && listed.audioTracks.map(\.codecs) == ["mp4a.40.2"])
        #expect(report.renditions?.allSatisfy { $0.frames == report.sourceFrames } == true, "\(run.stdout)")
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        #expect(master.contains("CODECS=\"av01.0."), "\(master)")
        let mpd = try String(contentsOfFile: out + "/manifest.mpd", encoding: .utf8)
        #expect(mpd.components(separatedBy: "contentType=\"video\"").count == 3, "one AdaptationSet per codec:\n\(mpd)")
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
        if StreamOracleTests.missingBrowser == nil {
            let played = try Subprocess.run("python3", [StreamOracleTests.msePlay, out], timeout: 600)
            #expect(played.status == 0, "a track did not play through MSE:\n\(played.stdout)\(played.stderr)")
        }
    }

    /// An anamorphic source (PAL 720x576, sample aspect 64:45, shown 1024x576): rungs are square
    /// pixels at the display aspect, so RESOLUTION is what every player shows (a 360p rung was
    /// 450x360 with the source's sample aspect, listed as 450x360).
    @Test("an anamorphic source: square-pixel rungs at the display aspect", .enabled(if: StreamOracleTests.missingParser == nil,
                                                                                   Comment(rawValue: StreamOracleTests.missingParser ?? "")))
    func anamorphicSource() throws {
        let dir = TestPaths.scratch("ladder-anamorphic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("pal.mp4").path
        let make = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=720x576:r=25:d=2", "-vf", "setsar=64/45",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", source], timeout: 120)
        try #require(make.status == 0, "\(make.stderr)")
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", source, "-o", out, "--json", "--quiet", "--agents", "1",
                                                         "--ladder", "576p:1M,360p:400k", "--package", "hls", "--no-analysis", "--preset", "ultrafast"], timeout: 600)
        try #require(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.renditions?.map { "\($0.width)x\($0.height)" } == ["1024x576", "640x360"], "\(run.stdout)")
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        #expect(master.contains("RESOLUTION=1024x576") && master.contains("RESOLUTION=640x360"), "\(master)")
        let sar = try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "stream=sample_aspect_ratio", "-of", "csv=p=0",
                                                 out + "/video-360p/init.mp4"], timeout: 60)
        #expect(sar.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1:1", "\(sar.stdout)")
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source, "--mpd", ""], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
    }

    /// A rung's rate is a cap its encoders keep within 15 % on 6 s farm segments, though every
    /// farm segment is a fresh encoder that may spend part of its starting VBV buffer at once
    /// (measured: 551 kbit/s for 500k; a noisy clip at CRF 18 uncapped is several Mbit/s).
    @Test("a capped rung keeps its cap across farm segments")
    func capsHold() throws {
        let dir = TestPaths.scratch("ladder-cap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Subprocess.run(TestPaths.gopfarm, [
            "transcode", try Fixture.lossyClip(seconds: 12), "-o", dir.appendingPathComponent("out").path, "--json", "--quiet",
            "--agents", "2", "--segment-seconds", "6", "--ladder", "360p:500k", "--package-seconds", "2", "--crf", "18",
            "--preset", "veryfast", "--no-analysis",
        ], timeout: 600)
        try #require(run.status == 0, "\(run.stderr)")
        let rung = try #require(try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)).renditions?.first)
        #expect(rung.averageBitrate <= 575_000, "a 500k rung averaged \(rung.averageBitrate) bit/s")
    }

    /// A source decoded as NV12 (chroma interleaved in one plane): each rung is measured against
    /// the source converted to planar YUV first. The agents used to read a third plane NV12 does
    /// not have and died on every attempt; now the rung's PSNR is ffmpeg's psnr filter's.
    @Test("an NV12 source: rungs measured, no agent dies")
    func semiPlanarSource() throws {
        let dir = TestPaths.scratch("ladder-nv12")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("nv12.mkv").path
        let made = try Subprocess.run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2",
                                                 "-pix_fmt", "nv12", "-c:v", "rawvideo", source], timeout: 60)
        try #require(made.status == 0, "\(made.stderr)")
        let out = dir.appendingPathComponent("out")
        let run = try Subprocess.run(TestPaths.gopfarm, [
            "transcode", source, "-o", out.path, "--json", "--quiet", "--agents", "1", "--ladder", "240p:500k", "--package", "hls",
        ], timeout: 300)
        try #require(run.status == 0, "\(run.stderr)")
        let rung = try #require(try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8)).renditions?.first)
        #expect(rung.frames == 50)
        let psnr = try #require(rung.psnr, "the rung has no PSNR")
        let peer = try AnalysisQualityTests.ffmpegMetric("psnr", out.appendingPathComponent("master.m3u8").path, source, frames: 0..<50)[3]
        #expect(abs(psnr - peer) <= 0.01, "gopfarm \(psnr) dB, ffmpeg \(peer) dB")
    }

    /// An odd-sized source (161x121): the probe encodes even sizes only, so `--ladder auto` runs
    /// (it was refused: "libx264 cannot code an odd side", and --scale is refused with a ladder).
    @Test("--ladder auto on an odd-sized source", .enabled(if: TestPaths.sharedMedia != nil && StreamOracleTests.missingParser == nil,
                                                          "../shared/media or the m3u8 parser is absent"))
    func automaticLadderOddSize() throws {
        let dir = TestPaths.scratch("ladder-auto-odd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = TestPaths.sharedMedia!.appendingPathComponent("ax__bear-vp9-odd-dimensions.webm").path
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", source, "-o", out, "--json", "--quiet", "--agents", "1", "--ladder", "auto",
                                                         "--package", "hls", "--no-analysis", "--preset", "ultrafast"], timeout: 600)
        try #require(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(report.renditions?.allSatisfy { $0.width % 2 == 0 && $0.height % 2 == 0 && $0.frames == report.sourceFrames } == true, "\(run.stdout)")
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source, "--mpd", ""], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
    }

    /// `--ladder auto`: the probe's record sits beside the manifests, its rungs are what the
    /// job encoded, and the package passes the same oracle.
    @Test("--ladder auto", .enabled(if: StreamOracleTests.missingParser == nil, Comment(rawValue: StreamOracleTests.missingParser ?? "")))
    func automaticLadder() throws {
        struct Choice: Decodable {
            struct Rung: Decodable { var name: String; var height: Int; var bitrate: Int }
            var points: [ProbePoint]
            var rungs: [Rung]
            struct ProbePoint: Decodable { var height: Int; var crf: Double; var bitrate: Double; var psnr: Double }
        }
        let source = try Fixture.h264BFramesMP4.path()
        let dir = TestPaths.scratch("ladder-auto")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", source, "-o", out, "--json", "--quiet", "--agents", "2",
                                                         "--segment-seconds", "2", "--ladder", "auto", "--package", "hls", "--preset", "ultrafast"], timeout: 600)
        try #require(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        let choice = try JSONDecoder().decode(Choice.self, from: Data(contentsOf: dir.appendingPathComponent("out/ladder.json")))
        // 320x240: 240 and 120 lines at five CRFs, every one measured.
        #expect(choice.points.count == 10 && choice.points.allSatisfy { $0.bitrate > 0 && $0.psnr > 20 })
        #expect(report.renditions?.map(\.name) == choice.rungs.map(\.name))
        #expect(report.renditions?.allSatisfy { $0.psnr != nil } == true)
        let html = try String(contentsOf: dir.appendingPathComponent("out/ladder.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("PSNR (dB)"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/manifest.mpd").path), "--package hls writes no MPD")
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source, "--mpd", ""], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
    }

    @Test("clips in ../shared/media", .enabled(if: TestPaths.sharedMedia != nil && StreamOracleTests.missingParser == nil,
                                               "../shared/media or the m3u8 parser is absent"),
          arguments: shared)
    func sharedClips(_ clip: String) throws {
        try packageAndCheck(TestPaths.sharedMedia!.appendingPathComponent(clip).path, label: clip, play: clip == "mdn__friday.mp4")
    }
}
