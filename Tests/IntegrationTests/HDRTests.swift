import Foundation
import Testing
import TestSupport

/// An HDR10 source's static metadata (mastering display, MaxCLL/MaxFALL) tells a display how
/// to tone-map it. The farm, like the ffmpeg CLI of FFmpeg 5.1, dropped it: each output was
/// PQ without its metadata. It now goes into the bitstream where the encoder writes it (x265
/// SEI, SVT-AV1 metadata OBUs) and into the container (MP4 `mdcv`/`clli`, Matroska) always.
@Suite("HDR10 metadata through the farm")
struct HDRTests {
    /// 2 s of 10-bit PQ HEVC whose SEI carries the metadata (the container declares none),
    /// a key frame each second: two segments.
    static func source(in dir: URL) throws -> String {
        try UnusualInputTests.make(dir, "hdr10.mp4", [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
            "log-level=error:keyint=25:hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400",
            "-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc",
        ])
    }

    /// The side data ffprobe lists, by type: the stream's (`container`) or every frame's.
    static func sideData(_ path: String, frames: Bool) throws -> [[String: Any]] {
        let entries = frames ? ["-show_frames", "-show_entries", "frame=side_data_list"] : ["-show_entries", "stream_side_data"]
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-of", "json"] + entries + [path], timeout: 60)
        let json = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let items = (json?[frames ? "frames" : "streams"] as? [[String: Any]]) ?? []
        return items.map { $0["side_data_list"] as? [[String: Any]] ?? [] }.flatMap { $0 }
    }

    static func value(_ fraction: Any?) -> Double {
        if let n = fraction as? Int { return Double(n) }
        let parts = (fraction as? String)?.split(separator: "/").compactMap { Double($0) } ?? []
        return parts.count == 2 && parts[1] != 0 ? parts[0] / parts[1] : (parts.first ?? .nan)
    }

    /// The metadata the source carries, within AV1's fixed-point rounding.
    static func expectSourceMetadata(_ items: [[String: Any]], _ label: String) {
        let display = items.first { ($0["side_data_type"] as? String) == "Mastering display metadata" }
        let light = items.first { ($0["side_data_type"] as? String) == "Content light level metadata" }
        let expected: [(String, Double)] = [("red_x", 0.68), ("red_y", 0.32), ("green_x", 0.265), ("green_y", 0.69), ("blue_x", 0.15),
                                            ("blue_y", 0.06), ("white_point_x", 0.3127), ("white_point_y", 0.329),
                                            ("min_luminance", 0.0001), ("max_luminance", 1000)]
        for (key, v) in expected {
            #expect(abs(value(display?[key]) - v) <= max(1e-4, v * 1e-4), "\(label): \(key) \(String(describing: display?[key]))")
        }
        #expect(value(light?["max_content"]) == 1000 && value(light?["max_average"]) == 400, "\(label): \(String(describing: light))")
    }

    @Test("the probe finds it in the first frame")
    func probed() throws {
        let dir = TestPaths.scratch("hdr-probe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try Subprocess.run(TestPaths.gopfarm, ["probe", try Self.source(in: dir)], timeout: 60)
        #expect(out.status == 0 && out.stdout.contains("transfer=smpte2084"), "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("HDR: mastering display R(0.6800,0.3200) G(0.2650,0.6900) B(0.1500,0.0600) WP(0.3127,0.3290), 0.0001-1000 cd/m²; MaxCLL 1000, MaxFALL 400 cd/m²"),
                "\(out.stdout)")
    }

    @Test("it reaches every segment's bitstream and the container",
          arguments: [("libx265", "mp4", true), ("libsvtav1", "mkv", true), ("libvpx-vp9", "webm", false), ("libx264", "mp4", false)])
    func kept(_ codec: String, _ container: String, _ inBitstream: Bool) throws {
        let dir = TestPaths.scratch("hdr-\(codec)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.source(in: dir)
        let output = dir.appendingPathComponent("out.\(container)").path
        let run = try FarmCLI.transcode(source, to: output, ["--agents", "2", "--segment-seconds", "1", "--codec", codec, "--no-analysis"]
                                        + (codec == "libsvtav1" ? ["--preset", "12"] : codec == "libvpx-vp9" ? ["--preset", "realtime"] : ["--preset", "ultrafast"]))
        try #require(run.output.status == 0, "\(run.output.stderr)")
        try #require((run.report?.segments.count ?? 0) == 2, "one segment would not show the second one's first frame")
        Self.expectSourceMetadata(try Self.sideData(output, frames: false), "\(codec) container")
        let frames = try Self.sideData(output, frames: true)
        let marked = frames.filter { ($0["side_data_type"] as? String) == "Mastering display metadata" }
        if inBitstream {
            // On each segment's first frame at least (x265 repeats it at every key frame).
            #expect(marked.count >= 2, "\(codec): \(marked.count) frames carry it")
            Self.expectSourceMetadata(frames, "\(codec) bitstream")
        } else {
            #expect(marked.isEmpty, "\(codec) has no way to write it into the bitstream")
            // So the probe of such an output reads it from the container alone.
            let probe = try Subprocess.run(TestPaths.gopfarm, ["probe", output], timeout: 60)
            #expect(probe.stdout.contains("HDR: mastering display R(0.6800,0.3200)") && probe.stdout.contains("MaxCLL 1000, MaxFALL 400"),
                    "\(probe.stdout)")
        }
    }

    @Test("a ladder's renditions carry it in their init sections and say PQ in both manifests")
    func ladder() throws {
        let dir = TestPaths.scratch("hdr-ladder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.source(in: dir)
        let out = dir.appendingPathComponent("out").path
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", source, "-o", out + "/", "--ladder", "240p:400k,144p:150k", "--codec", "libx265",
                                                         "--preset", "ultrafast", "--package", "hls,dash", "--agents", "2", "--quiet", "--no-analysis"],
                                     timeout: 300)
        try #require(run.status == 0, "\(run.stderr)")
        let master = try String(contentsOfFile: out + "/master.m3u8", encoding: .utf8)
        #expect(master.components(separatedBy: ",VIDEO-RANGE=PQ\n").count == 3, "\(master)")
        let mpd = try String(contentsOfFile: out + "/manifest.mpd", encoding: .utf8)
        #expect(mpd.contains("<SupplementalProperty schemeIdUri=\"urn:mpeg:mpegB:cicp:TransferCharacteristics\" value=\"16\"/>"), "\(mpd)")
        for rung in ["240p", "144p"] {
            // The init section and a first segment: what a player is handed.
            let joined = dir.appendingPathComponent("\(rung).mp4")
            let track = URL(fileURLWithPath: out).appendingPathComponent("video-\(rung)")
            try (try Data(contentsOf: track.appendingPathComponent("init.mp4")) + Data(contentsOf: track.appendingPathComponent("seg-00001.m4s")))
                .write(to: joined)
            Self.expectSourceMetadata(try Self.sideData(joined.path, frames: false), "\(rung) init section")
            Self.expectSourceMetadata(try Self.sideData(joined.path, frames: true), "\(rung) bitstream")
        }
        let check = try Subprocess.run("python3", [StreamOracleTests.streamCheck, out, "--source", source], timeout: 600)
        #expect(check.status == 0, "stream_check found problems:\n\(check.stdout)\(check.stderr)")
    }
}
