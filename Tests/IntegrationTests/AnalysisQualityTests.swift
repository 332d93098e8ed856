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
}
