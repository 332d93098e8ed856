import Foundation
import Testing
import TestSupport

/// The farm's libx264 CRF 23 output against ffmpeg's with the same settings on the same file:
/// chunking costs one forced key frame per 10 s segment, which must stay invisible in quality
/// (PSNR within 0.1 dB) and nearly so in size (within 2 %).
@Suite("Lossy quality parity with ffmpeg")
struct LossyParityTests {
    @Test("libx264 medium CRF 23, 10 s segments")
    func x264Parity() throws {
        let source = try Fixture.lossyClip(seconds: 30)
        let dir = TestPaths.scratch("parity")
        defer { try? FileManager.default.removeItem(at: dir) }
        let farmOut = dir.appendingPathComponent("farm.mp4").path
        let ffmpegOut = dir.appendingPathComponent("ffmpeg.mp4").path
        let run = try FarmCLI.transcode(source, to: farmOut, ["--agents", "2", "--threads", "1", "--codec", "libx264",
                                                              "--preset", "medium", "--crf", "23", "--segment-seconds", "10"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect((run.report?.segments.count ?? 0) >= 3)
        let peer = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-i", source, "-map", "0:v", "-map", "0:a", "-c:v", "libx264",
                                                 "-preset", "medium", "-crf", "23", "-threads", "1", "-c:a", "copy", ffmpegOut])
        try #require(peer.status == 0, "\(peer.stderr)")
        let farmPSNR = try FFmpegOracle.psnr(farmOut, reference: source)
        let peerPSNR = try FFmpegOracle.psnr(ffmpegOut, reference: source)
        let farmSize = try sizeOfVideo(farmOut), peerSize = try sizeOfVideo(ffmpegOut)
        #expect(abs(farmPSNR - peerPSNR) <= 0.1, "PSNR farm \(farmPSNR) dB, ffmpeg \(peerPSNR) dB")
        #expect(abs(Double(farmSize) / Double(peerSize) - 1) <= 0.02, "video bytes farm \(farmSize), ffmpeg \(peerSize)")
        #expect(try FFmpegOracle.countFrames(farmOut) == FFmpegOracle.countFrames(source))
        try AudioSync.check(source: source, output: farmOut, name: "parity mp4")
    }

    func sizeOfVideo(_ path: String) throws -> Int {
        let out = try Subprocess.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=size", "-of", "csv=p=0", path])
        return out.stdout.split(separator: "\n").compactMap { Int($0.trimmingCharacters(in: CharacterSet(charactersIn: ", "))) }.reduce(0, +)
    }
}
