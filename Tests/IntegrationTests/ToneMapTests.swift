import Foundation
import Testing
import TestSupport

/// `--sdr` and a ladder rung's `:sdr`: an HDR source (PQ or HLG) tone-mapped to SDR BT.709 on the
/// agents. The oracle is the ffmpeg CLI running the same libavfilter recipe on the same source:
/// the farm's output must be that picture (bit for bit when lossless), labelled BT.709, with no
/// HDR metadata left, every frame at the source's time. A picture merely relabelled, or
/// tone-mapped as if it were another transfer, is far from it (14.6 and 17.6 dB on the PQ clip,
/// against 39.5 for the farm's default x264 encode).
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

    /// PQ declared by the container alone (MP4 `colr`), the HEVC stream saying nothing: FFmpeg 5.1's
    /// stream probe drops the container's colour (ffprobe shows none), and the farm took it for SDR.
    static func containerOnlySource(in dir: URL) throws -> String {
        let bare = try UnusualInputTests.make(dir, "no-vui.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:keyint=25",
        ])
        return try UnusualInputTests.make(dir, "colr-only.mp4", ["-i", bare, "-c", "copy", "-color_primaries", "bt2020",
                                                                 "-color_trc", "smpte2084", "-colorspace", "bt2020nc"])
    }

    static let toneMap = "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
        + "zscale=t=bt709:m=bt709:r=tv:d=error_diffusion"

    /// The CLI's tone mapping of `source` into `format`, lossless, as the reference (told the
    /// source's colour, which its own probe may have lost).
    static func reference(_ source: String, in dir: URL, transfer: String, format: String) throws -> String {
        let out = dir.appendingPathComponent("reference.mkv").path
        let run = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-i", source, "-vf",
                                                "setparams=color_primaries=bt2020:color_trc=\(transfer):colorspace=bt2020nc,\(toneMap),format=\(format)",
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

    /// Lossless (FFV1) so the pictures can be compared bit for bit: the farm's tone mapping is the
    /// CLI's, frame for frame, in the pixel format asked (`--pix-fmt`, default 8-bit 4:2:0),
    /// written straight in it (a 4:2:2 or 10-bit one does not pass through 8-bit 4:2:0).
    @Test("an HDR source becomes SDR: the CLI's tone mapping bit for bit, every frame at its time",
          arguments: [("pq", "yuv420p"), ("hlg", "yuv420p10le"), ("pq in colr only", "yuv422p")])
    func toneMapped(_ kind: String, _ pixelFormat: String) throws {
        let dir = TestPaths.scratch("tonemap-\(kind.replacingOccurrences(of: " ", with: "-"))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = switch kind {
        case "pq": try HDRTests.source(in: dir)
        case "hlg": try Self.hlgSource(in: dir)
        default: try Self.containerOnlySource(in: dir)
        }
        let output = dir.appendingPathComponent("sdr.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--codec", "ffv1", "--pix-fmt", pixelFormat, "--agents", "2",
                                                             "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.segments.count == 2 && run.report?.warnings.isEmpty == true, "\(run.output.stdout)")
        #expect(run.report?.streams.first == "video: ffv1 (tone-mapped to SDR)", "\(run.report?.streams ?? [])")
        let stream = try Self.colour(output)
        #expect(stream["pix_fmt"] == pixelFormat && stream["color_transfer"] == "bt709" && stream["color_primaries"] == "bt709"
                && stream["color_space"] == "bt709" && stream["color_range"] == "tv", "\(stream)")
        #expect(try Self.hdrMetadata(output).isEmpty, "an SDR output declares no mastering display")
        #expect(try FFmpegOracle.frameTimes(output) == FFmpegOracle.frameTimes(source))
        let reference = try Self.reference(source, in: dir, transfer: kind == "hlg" ? "arib-std-b67" : "smpte2084", format: pixelFormat)
        #expect(try FFmpegOracle.frames(output).map(\.hash) == FFmpegOracle.frames(reference).map(\.hash), "\(kind) in \(pixelFormat)")
    }

    /// The default output (x264, 8-bit 4:2:0) is labelled BT.709 and close to the CLI's pictures;
    /// only relabelled, it was 14.6 dB away.
    @Test("by default an 8-bit BT.709 H.264 output, near the CLI's tone mapping")
    func defaultOutput() throws {
        let dir = TestPaths.scratch("tonemap-default")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try HDRTests.source(in: dir)
        let output = dir.appendingPathComponent("sdr.mp4").path
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--agents", "2", "--segment-seconds", "1", "--preset", "ultrafast",
                                                             "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try Self.colour(output)
        #expect(stream["pix_fmt"] == "yuv420p" && stream["color_transfer"] == "bt709" && stream["color_range"] == "tv", "\(stream)")
        #expect(try Self.hdrMetadata(output).isEmpty)
        let psnr = try FFmpegOracle.psnr(output, reference: try Self.reference(source, in: dir, transfer: "smpte2084", format: "yuv420p"))
        #expect(psnr > 33, "\(psnr) dB from the CLI's tone mapping")
    }

    /// zimg takes no 4:2:0 picture with an odd side (the CLI's own tone mapping fails on it): the
    /// farm pads it by a line, tone-maps in 4:4:4 and cuts it back.
    @Test("an odd-sized HDR source is tone-mapped too")
    func oddSize() throws {
        let dir = TestPaths.scratch("tonemap-odd")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try UnusualInputTests.make(dir, "odd.webm", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-vf", "scale=321:241,format=yuv420p10le", "-c:v", "libvpx-vp9",
            "-deadline", "realtime", "-cpu-used", "8", "-g", "25", "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
        ])
        let output = dir.appendingPathComponent("sdr.webm").path
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--codec", "libvpx-vp9", "--preset", "realtime", "--agents", "2",
                                                             "--segment-seconds", "1", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try Self.colour(output)
        #expect(stream["pix_fmt"] == "yuv420p" && stream["color_transfer"] == "bt709", "\(stream)")
        #expect(try FFmpegOracle.videoStream(output)["width"] == "321", "the picture keeps its size")
        #expect(try FFmpegOracle.frameTimes(output) == FFmpegOracle.frameTimes(source))
        // Against the CLI's tone mapping of the source one line larger each way, cut back.
        let reference = dir.appendingPathComponent("reference.mkv").path
        let ref = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-i", source, "-vf", "pad=322:242," + Self.toneMap
                                                + ",format=yuv444p,crop=321:241:0:0,format=yuv420p", "-c:v", "ffv1", reference], timeout: 120)
        try #require(ref.status == 0, "\(ref.stderr)")
        let psnr = try FFmpegOracle.psnr(output, reference: reference)
        #expect(psnr > 36, "\(psnr) dB")
    }

    @Test("without --sdr, colour the container alone declares is kept")
    func containerColourKept() throws {
        let dir = TestPaths.scratch("tonemap-colr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(try Self.containerOnlySource(in: dir), to: output, ["--agents", "1", "--preset", "ultrafast", "--no-analysis"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let stream = try Self.colour(output)
        #expect(stream["color_transfer"] == "smpte2084" && stream["color_primaries"] == "bt2020", "\(stream)")
    }

    @Test("an SDR source is left as it is, with a warning")
    func sdrSourceWarns() throws {
        let dir = TestPaths.scratch("tonemap-sdr")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mp4").path
        let source = try Fixture.h264BFramesMP4.path()
        let run = try FarmCLI.transcode(source, to: output, ["--sdr", "--agents", "1", "--preset", "ultrafast", "--no-analysis", "--crf", "10"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(run.report?.warnings.contains { $0.contains("the source declares no transfer and is taken as SDR: there is nothing to tone-map") } == true,
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
