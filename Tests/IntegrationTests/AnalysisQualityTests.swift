import Foundation
import Testing
import TestSupport

/// PSNR and SSIM measured on the agents (libx264 reports them itself) against ffmpeg's psnr
/// filter on the same frames of the stitched output and the source, segment by segment.
@Suite("Per-segment PSNR against ffmpeg's psnr filter")
struct AnalysisQualityTests {
    struct Sidecar: Decodable {
        struct Segment: Decodable {
            var index: Int
            var startFrame: Int
            var frames: Int
            var psnrY: Double?
            var psnrU: Double?
            var psnrV: Double?
            var psnrAll: Double?
            var ssimY: Double?
            var lossless: Bool
            var agent: String
        }
        struct Scene: Decodable { var startFrame: Int; var thumbnail: String? }
        var frames: Int
        var segments: [Segment]
        var scenes: [Scene]
    }

    /// ffmpeg's psnr (or ssim) filter over frames [start, end) of both files: (y, u, v, average)
    /// or (Y, U, V, All).
    static func ffmpegMetric(_ filter: String, _ distorted: String, _ reference: String, frames range: Range<Int>) throws -> [Double] {
        let trim = "trim=start_frame=\(range.lowerBound):end_frame=\(range.upperBound),setpts=PTS-STARTPTS"
        let out = try Subprocess.run("ffmpeg", ["-hide_banner", "-nostats", "-i", distorted, "-i", reference, "-lavfi",
                                                "[0:v]\(trim)[a];[1:v]\(trim)[b];[a][b]\(filter)", "-f", "null", "-"], timeout: 120)
        let marker = filter == "psnr" ? "PSNR y:" : "SSIM Y:"
        let line = try #require(out.stderr.split(separator: "\n").last(where: { $0.contains(marker) }),
                                "no \(filter) line from ffmpeg: \(out.stderr.suffix(300))")
        let keys = filter == "psnr" ? ["y:", "u:", "v:", "average:"] : ["Y:", "U:", "V:", "All:"]
        return keys.map { key in
            let after = line[line.range(of: key)!.upperBound...]
            return Double(after.prefix { !$0.isWhitespace }) ?? .nan
        }
    }

    @Test("libx264 veryfast CRF 30, 4 s segments on 2 agents")
    func psnrMatchesFFmpegPerSegment() throws {
        let source = try Fixture.lossyClip(seconds: 30)
        let dir = TestPaths.scratch("analysis-quality")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mp4").path
        let run = try FarmCLI.transcode(source, to: out, ["--agents", "2", "--threads", "1", "--codec", "libx264", "--preset", "veryfast",
                                                          "--crf", "30", "--segment-seconds", "4"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: out + ".analysis.json")))
        #expect(sidecar.segments.count >= 6)
        #expect(sidecar.frames == (try FFmpegOracle.countFrames(source)))
        for s in sidecar.segments {
            let frames = s.startFrame..<(s.startFrame + s.frames)
            let peer = try Self.ffmpegMetric("psnr", out, source, frames: frames)
            let ours = [s.psnrY, s.psnrU, s.psnrV, s.psnrAll].map { $0 ?? .nan }
            for (name, (a, b)) in zip(["Y", "U", "V", "all"], zip(ours, peer)) {
                #expect(abs(a - b) <= 0.05, "segment \(s.index) PSNR \(name): gopfarm \(a) dB, ffmpeg \(b) dB")
            }
            // SSIM is computed on every 8th frame: close to ffmpeg's over all of them.
            let peerSSIM = try Self.ffmpegMetric("ssim", out, source, frames: frames)[0]
            #expect(abs((s.ssimY ?? 0) - peerSSIM) <= 0.01, "segment \(s.index) SSIM Y: gopfarm \(String(describing: s.ssimY)), ffmpeg \(peerSSIM)")
            #expect(!s.lossless)
        }
        // Every scene has its thumbnail, a JPEG on disk.
        for scene in sidecar.scenes {
            let name = try #require(scene.thumbnail)
            let data = try Data(contentsOf: URL(fileURLWithPath: out + ".thumbnails/" + name))
            #expect(data.prefix(2) == Data([0xFF, 0xD8]))
        }
    }

    @Test("FFV1 is lossless: no PSNR, lossless flagged")
    func losslessIsFlagged() throws {
        let source = try Fixture.lossyClip(seconds: 30)
        let dir = TestPaths.scratch("analysis-lossless")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: out, ["--agents", "2", "--threads", "1", "--codec", "ffv1", "--segment-seconds", "10"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: out + ".analysis.json")))
        #expect(!sidecar.segments.isEmpty)
        for s in sidecar.segments {
            #expect(s.lossless && s.psnrY == nil && s.ssimY == 1, "segment \(s.index)")
        }
    }

    /// A source with alpha (ProRes 4444, yuva444p12le) is measured on its colour planes: FFV1
    /// keeps it lossless, and x265's PSNR is ffmpeg's psnr filter's on Y, U and V (no PSNR was
    /// reported at all for alpha formats).
    @Test("an alpha source: colour planes measured, FFV1 flagged lossless")
    func alphaSource() throws {
        let dir = TestPaths.scratch("analysis-alpha")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("prores4444.mov").path
        let make = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=2,format=yuva444p10le",
                                                 "-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le", source], timeout: 120)
        try #require(make.status == 0, "\(make.stderr)")
        let lossless = dir.appendingPathComponent("ffv1.mkv").path
        let run = try FarmCLI.transcode(source, to: lossless, ["--agents", "1", "--codec", "ffv1"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let flagged = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: lossless + ".analysis.json")))
        #expect(!flagged.segments.isEmpty && flagged.segments.allSatisfy { $0.lossless }, "\(flagged.segments)")

        let lossy = dir.appendingPathComponent("x265.mp4").path
        let encoded = try FarmCLI.transcode(source, to: lossy, ["--agents", "1", "--codec", "libx265", "--preset", "ultrafast"])
        try #require(encoded.output.status == 0, "\(encoded.output.stderr)")
        // The transparency is not kept by x265, and the job says so (FFV1's kept it: no warning).
        #expect(encoded.report?.warnings.contains { $0.contains("has an alpha channel (yuva444p12le) and libx265 encodes none") } == true,
                "\(encoded.report?.warnings ?? [])")
        #expect(run.report?.warnings.contains { $0.contains("alpha") } == false)
        let sidecar = try JSONDecoder().decode(Sidecar.self, from: Data(contentsOf: URL(fileURLWithPath: lossy + ".analysis.json")))
        let segment = try #require(sidecar.segments.first)
        let colour = "format=yuv444p10le"
        let out = try Subprocess.run("ffmpeg", ["-hide_banner", "-nostats", "-i", lossy, "-i", source, "-lavfi",
                                                "[0:v]\(colour)[a];[1:v]\(colour)[b];[a][b]psnr", "-f", "null", "-"], timeout: 120)
        let line = try #require(out.stderr.split(separator: "\n").last { $0.contains("PSNR y:") })
        let y = Double(line[line.range(of: "y:")!.upperBound...].prefix { !$0.isWhitespace }) ?? .nan
        #expect(sidecar.segments.count == 1 && !segment.lossless)
        #expect(abs((segment.psnrY ?? 0) - y) < 0.05, "gopfarm \(segment.psnrY ?? .nan) dB, ffmpeg \(y) dB")
    }
}
