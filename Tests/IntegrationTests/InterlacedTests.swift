import Foundation
import Testing
import TestSupport

/// Interlaced sources stay interlaced through a lossy encode: libx264 codes fields (MBAFF) and
/// the output declares the source's field order, where players and deinterlacers read it.
@Suite("Interlaced sources")
struct InterlacedTests {
    static func source(_ name: String) throws -> String? {
        switch name {
        case "mbaff-bff.ts": return try Fixture.h264MBAFFBottomFirstTS.path()
        case "mbaff-tff.mp4": return try Fixture.h264MBAFFTopFirstMP4.path()
        default: return TestPaths.sharedMediaNew?.appendingPathComponent("mei__sony_a7m3.mts").path
        }
    }

    @Test("libx264 keeps the field order", arguments: ["mbaff-bff.ts", "mbaff-tff.mp4", "sony-paff.mts"], ["mkv", "mp4"])
    func keepsFieldOrder(_ name: String, _ container: String) throws {
        guard let source = try Self.source(name) else { return }
        let dir = TestPaths.scratch("interlaced")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.\(container)").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "libx264", "--preset", "ultrafast", "--agents", "2",
                                                             "--segment-seconds", "1"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        let sourceOrder = try FFmpegOracle.videoStream(source)["field_order"]
        #expect(["tt", "bb"].contains(sourceOrder ?? ""), "\(name): the fixture is not interlaced (\(sourceOrder ?? "?"))")
        #expect(try FFmpegOracle.videoStream(output)["field_order"] == sourceOrder, "\(name) → .\(container)")
        #expect(try FFmpegOracle.defaultOracle(output).frames.count == (try FFmpegOracle.defaultOracle(source, inputFlags: ["-copyts"]).frames.count))
    }

    @Test("--deinterlace gives progressive frames, one per source frame, at the source's times")
    func deinterlaces() throws {
        let source = try Fixture.h264MBAFFTopFirstTS.path()
        let dir = TestPaths.scratch("deinterlace")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("out.mkv").path
        let run = try FarmCLI.transcode(source, to: output, ["--codec", "ffv1", "--deinterlace", "--agents", "2", "--segment-seconds", "1"])
        try #require(run.output.status == 0, "\(run.output.stderr)")
        #expect(try FFmpegOracle.videoStream(output)["field_order"] == "progressive")
        let expected = try FFmpegOracle.defaultOracle(source), actual = try FFmpegOracle.defaultOracle(output)
        #expect(actual.frames.count == expected.frames.count)
        #expect(zip(expected.frames, actual.frames).allSatisfy { abs($0.time - $1.time) <= 0.003 })
        // The pictures changed (fields interpolated), unlike the lossless encode of the source.
        #expect(zip(expected.frames, actual.frames).contains { $0.hash != $1.hash })
    }
}
