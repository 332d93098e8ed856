import Foundation
import Testing
import TestSupport

/// `--sdr` and a ladder rung's `:sdr`: an HDR source (PQ or HLG) tone-mapped to SDR BT.709 on the
/// agents. The oracle is the ffmpeg CLI running the same libavfilter recipe on the same source:
/// the farm's output must be that picture (within its encode's loss), labelled BT.709, with no
/// HDR metadata left, every frame at the source's time. A picture merely relabelled, or
/// tone-mapped as if it were another transfer, is far from it (14.6 and 17.6 dB on the PQ clip,
/// against 39.5 for the farm).
@Suite("HDR to SDR tone mapping")
struct ToneMapTests {
    /// 2 s of 10-bit HLG HEVC, a key frame each second (two segments).
    static func hlgSource(in dir: URL) throws -> String {
        try UnusualInputTests.make(dir, "hlg.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25",
            "-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc",
        ])
    }

    /// The CLI's tone mapping of `source`, raw 8-bit 4:2:0, as the reference.
    static func reference(_ source: String, in dir: URL) throws -> String {
        let out = dir.appendingPathComponent("reference.mkv").path
        let run = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-i", source, "-vf",
                                                "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
                                                + "zscale=t=bt709:m=bt709:r=tv:d=error_diffusion,format=yuv420p",
                                                "-c:v", "ffv1", out], timeout: 120)
        try #require(run.status == 0, "\(run.stderr)")
        return out
    }

    /// The first video stream's pixel format and colour, as ffprobe reads them.
    static func colour(_ path: String) throws -> [String: String] {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                                 "stream=pix_fmt,color_range,color_space,color_transfer,color_primaries", "-of", "default=nw=1", path],
                                     timeout: 60)
        return Dictionary(out.stdout.split(separator: "\n").compactMap { line in
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            return kv.count == 2 ? (kv[0], kv[1]) : nil
        }, uniquingKeysWith: { first, _ in first })
    }

    /// HDR metadata anywhere: in the container or in any frame.
    static func hdrMetadata(_ path: String) throws -> [String] {
        let types = try HDRTests.sideData(path, frames: false) + HDRTests.sideData(path, frames: true)
        return types.compactMap { $0["side_data_type"] as? String }.filter { $0.contains("Mastering display") || $0.contains("Content light") }
    }

    @Test("an HDR source becomes SDR: BT.709, 8-bit, no HDR metadata, the CLI's tone mapping, every frame at its time",
          arguments: ["pq", "hlg"])
    func toneMapped(_ kind: String) throws {
        let dir = TestPaths.scratch("tonemap-\(kind)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = kind == "pq" ? try HDRTests.source(in: dir) : try Self.hlgSource(in: dir)
        let output = dir.appendingPathComponent("sdr.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--agents", "2", "--segment-seconds", "1", "--crf", "18",
                                                             "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.segments.count == 2 && run.report?.warnings.isEmpty == true, "\(run.output.stdout)")
        let stream = try Self.colour(output)
        #expect(stream["pix_fmt"] == "yuv420p" && stream["color_transfer"] == "bt709" && stream["color_primaries"] == "bt709"
                && stream["color_space"] == "bt709" && stream["color_range"] == "tv", "\(stream)")
        #expect(try Self.hdrMetadata(output).isEmpty, "an SDR output declares no mastering display")
        #expect(try FFmpegOracle.frameTimes(output) == FFmpegOracle.frameTimes(source))
        let psnr = try FFmpegOracle.psnr(output, reference: try Self.reference(source, in: dir))
        #expect(psnr > 33, "\(kind): \(psnr) dB from the CLI's tone mapping")
    }

    @Test("an SDR source is left as it is, with a warning")
    func sdrSourceWarns() throws {
        let dir = TestPaths.scratch("tonemap-sdr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mp4").path
        let source = try Fixture.h264BFramesMP4.path()
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--agents", "1", "--preset", "ultrafast", "--no-analysis", "--crf", "10"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains { $0.contains("the source is not HDR") && $0.contains("sdr tone-maps nothing") } == true,
                "\(run.report?.warnings ?? [])")
        #expect(try FFmpegOracle.psnr(output, reference: source) > 40, "the pictures are the source's, not tone-mapped")
    }

    /// An HDR ladder with an SDR rung beside: HEVC PQ for HDR screens, H.264 SDR for every other.
    /// The master says VIDEO-RANGE=PQ for the HDR variant only, the MPD has a set for each, the
    /// SDR rung has no HDR metadata, stream_check passes, and Chromium plays the SDR rung.
    @Test("a ladder with HDR and SDR rungs", .enabled(if: StreamOracleTests.missingParser == nil, Comment(rawValue: StreamOracleTests.missingParser ?? "")))
    func ladder() throws {
        let dir = TestPaths.scratch("tonemap-ladder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try HDRTests.source(in: dir)
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", source, "-o", out + "/", "--ladder", "240p:400k:libx265,240p:300k:sdr",
                                                         "--preset", "ultrafast", "--package", "hls,dash", "--agents", "2", "--quiet", "--no-analysis"],
                                     timeout: 300)
        try #require(run.status == 0, "\(run.stderr)")
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        let variants = master.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF") }
        #expect(variants.count == 2 && variants.filter { $0.contains("VIDEO-RANGE=PQ") }.count == 1, "\(master)")
        #expect(variants.contains { $0.contains("avc1.") && !$0.contains("VIDEO-RANGE") }, "\(master)")
        let mpd = try String(contentsOfFile: out + "/manifest.mpd", encoding: .utf8)
        #expect(mpd.components(separatedBy: "contentType=\"video\"").count == 3, "\(mpd)")
        let track = URL(fileURLWithPath: out).appendingPathComponent("video-240p-sdr")
        let joined = dir.appendingPathComponent("sdr.mp4")
        try (try Data(contentsOf: track.appendingPathComponent("init.mp4")) + Data(contentsOf: track.appendingPathComponent("seg-00001.m4s")))
            .write(to: joined)
        #expect(try Self.hdrMetadata(joined.path).isEmpty, "the SDR rung declares no mastering display")
        #expect(try Self.colour(joined.path)["color_transfer"] == "bt709")
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
        if StreamOracleTests.missingBrowser == nil {
            // This Chromium has no HEVC: the HDR rung is checked by ffmpeg and ffprobe above.
            let played = try Subprocess.run("python3", [StreamOracleTests.msePlay, out, "--allow-unsupported"], timeout: 300)
            #expect(played.status == 0 && played.stdout.contains("ok video-240p-sdr/playlist.m3u8"), "\(played.stdout)\(played.stderr)")
        }
    }
}
