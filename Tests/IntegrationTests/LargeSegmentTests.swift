import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// Segments past `SpillFile.threshold` both ways (inputs of ~10 MB out, lossless results of
/// tens of MB back): they travel through the unnamed files the coordinator and the agents keep
/// them in (`WireReassembly.Spill`, `SpillFile.hold`), and every frame comes out as it went in.
@Suite("Large segments", .serialized)
struct LargeSegmentTests {
    @Test("lossless results of tens of MB from two agents come back frame for frame")
    func losslessThroughFiles() throws {
        let dir = TestPaths.scratch("large-segments")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Fixture.lossyClip(seconds: 30)
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(input, to: output, ["--agents", "2", "--codec", "ffv1", "--segment-seconds", "10",
                                                            "--no-analysis", "--keep-spool"], timeout: 600)
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let source = try FFmpegOracle.frames(input), written = try FFmpegOracle.frames(output)
        #expect(written.count == source.count)
        #expect(written == source, "first difference at frame \(source.indices.first { $0 >= written.count || written[$0] != source[$0] } ?? -1)")

        // The results were past the size that goes through a file, and none is left behind.
        let spool = try #require(try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .first { $0.lastPathComponent.hasPrefix(".gopfarm-spool-") })
        let files = try FileManager.default.contentsOfDirectory(at: spool, includingPropertiesForKeys: [.fileSizeKey])
        let sizes = try files.map { try $0.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0 }
        #expect(sizes.filter { $0 > SpillFile.threshold }.count >= 3, "\(zip(files.map(\.lastPathComponent), sizes).map { "\($0) \($1)" })")
        #expect(!files.contains { $0.lastPathComponent.contains("spill") })
        // The inputs too: a 10 s segment of this clip is past the size.
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: input)[.size] as? Int)
        #expect(bytes / 3 > SpillFile.threshold, "the source is \(bytes) bytes")
    }
}
