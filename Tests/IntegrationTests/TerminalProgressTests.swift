import Foundation
import Testing
import TestSupport

/// What `gopfarm transcode` shows on a terminal (a pseudo-terminal from util-linux `script`):
/// a word while the input is read, the bar, a word while the output is stitched, and a clean
/// line before the summary. QA: an hour of MPEG-TS was 17 s of silence before the bar, and the
/// bar sat at "359/360 segments … ETA 0:01" through the stitch.
@Suite("Progress on a terminal")
struct TerminalProgressTests {
    @Test("reading…, the bar, stitching…, then the summary on a clean line")
    func stepsAreNamed() throws {
        let dir = TestPaths.scratch("terminal-progress")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Fixture.h264BFramesMP4.path()
        let output = dir.appendingPathComponent("out.mp4").path
        let command = [TestPaths.gopfarm, "transcode", input, "-o", output, "--agents", "2", "--no-analysis"]
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let run = try Subprocess.run("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], timeout: 300)
        #expect(run.status == 0, "\(run.stdout.suffix(500))")
        let screen = run.stdout
        let name = (input as NSString).lastPathComponent
        let reading = try #require(screen.range(of: "reading \(name)… "), "\(screen.prefix(300))")
        #expect(screen.range(of: "reading \(name)… [0-9]+%", options: .regularExpression) != nil, "no share of the input read: \(screen.prefix(300))")
        let bar = try #require(screen.range(of: #"% \d+/\d+ segments"#, options: .regularExpression), "no bar: \(screen.prefix(500))")
        let stitching = try #require(screen.range(of: "\rstitching…\u{1B}[K"), "\(screen.suffix(500))")
        let summary = try #require(screen.range(of: "\r\u{1B}[K\(output): "), "\(screen.suffix(500))")
        #expect(reading.lowerBound < bar.lowerBound && bar.lowerBound < stitching.lowerBound && stitching.lowerBound < summary.lowerBound)
    }

    /// H.264 with B-frames in AVI has no presentation times: the probe decodes the stream for
    /// them (minutes for an hour of 1080p), which the line says, with how far it is.
    @Test("the probe's decode for the frames' order is named, with its share")
    func decodingIsNamed() throws {
        let dir = TestPaths.scratch("terminal-decoding")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Fixture.h264BFramesAVI.path()
        let output = dir.appendingPathComponent("out.mkv").path
        let command = [TestPaths.gopfarm, "transcode", input, "-o", output, "--agents", "1", "--no-analysis", "--preset", "ultrafast"]
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let run = try Subprocess.run("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"], timeout: 300)
        #expect(run.status == 0, "\(run.stdout.suffix(500))")
        let name = (input as NSString).lastPathComponent
        #expect(run.stdout.contains("decoding \(name) for its frames' order… 100%"), "\(run.stdout.prefix(600))")
        // `gopfarm probe` says the same while it reads, and takes the line off before its answer.
        let probe = try Subprocess.run("/usr/bin/script", ["-q", "-e", "-c", "'\(TestPaths.gopfarm)' probe '\(input)'", "/dev/null"], timeout: 120)
        #expect(probe.status == 0, "\(probe.stdout.suffix(500))")
        #expect(probe.stdout.contains("decoding \(name) for its frames' order… 100%\u{1B}[K\r\u{1B}[K\(input): "), "\(probe.stdout.prefix(600))")
        // And with its plan.
        let plan = try Subprocess.run("/usr/bin/script", ["-q", "-e", "-c", "'\(TestPaths.gopfarm)' probe --plan '\(input)'", "/dev/null"], timeout: 120)
        #expect(plan.status == 0, "\(plan.stdout.suffix(500))")
        #expect(plan.stdout.contains("decoding \(name) for its frames' order… 100%\u{1B}[K\r\u{1B}[K\(input): "), "\(plan.stdout.prefix(600))")
        #expect(plan.stdout.contains("  plan: "), "\(plan.stdout.suffix(600))")
    }
}
