import Foundation
import Testing
import TestSupport

@Suite("Command line")
struct CLITests {
    @Test("probe --json reports streams, frames and GOP structure")
    func probeJSON() throws {
        struct Probe: Decodable {
            struct Stream: Decodable { var type: String; var codec: String; var width: Int? }
            struct Key: Decodable { var kind: String }
            var streams: [Stream]; var frameCount: Int; var keyFrames: [Key]; var openGOP: Bool
        }
        let out = try Subprocess.run(TestPaths.gopfarm, ["probe", try Fixture.hevcOpenGOPMKV.path(), "--json"])
        try #require(out.status == 0, "\(out.stderr)")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(out.stdout.utf8))
        #expect(probe.frameCount == 100)
        #expect(probe.openGOP)
        #expect(probe.keyFrames.count == 4)
        #expect(probe.streams.contains { $0.type == "video" && $0.codec == "hevc" && $0.width == 320 })
        #expect(probe.streams.contains { $0.type == "audio" && $0.codec == "opus" })

        let closed = try Subprocess.run(TestPaths.gopfarm, ["probe", try Fixture.h264BFramesMP4.path(), "--json"])
        #expect(try JSONDecoder().decode(Probe.self, from: Data(closed.stdout.utf8)).openGOP == false)
    }

    @Test("probe prints a human summary, and one sentence for a bad file")
    func probeText() throws {
        let out = try Subprocess.run(TestPaths.gopfarm, ["probe", try Fixture.vfrMP4.path()])
        #expect(out.status == 0)
        #expect(out.stdout.contains("variable frame rate"))
        let bad = try Subprocess.run(TestPaths.gopfarm, ["probe", "/nonexistent/file.mp4"])
        #expect(bad.status == 1)
        #expect(bad.stderr == "gopfarm: error: /nonexistent/file.mp4: no such file\n")
    }

    /// A broadcast capture's clock starts at 3883.26 s; the plan and every job message count from
    /// the file's start, and so do the probe's key frames and damage warning (they printed the raw
    /// 3883.260 s beside a plan from 0.000 s).
    @Test("probe counts times from the file's start, like the plan", .enabled(if: TestPaths.sharedMedia != nil, "../shared/media is absent"))
    func probeClock() throws {
        struct Probe: Decodable { struct Key: Decodable { var time: Double }; var startTime: Double; var keyFrames: [Key]; var warnings: [String] }
        let source = TestPaths.sharedMedia!.appendingPathComponent("tsduck__test-072.ts").path
        let out = try Subprocess.run(TestPaths.gopfarm, ["probe", source, "--json"])
        try #require(out.status == 0, "\(out.stderr)")
        let probe = try JSONDecoder().decode(Probe.self, from: Data(out.stdout.utf8))
        #expect(abs(probe.startTime - 3883.26) < 0.001)
        #expect(probe.keyFrames.map { ($0.time * 1000).rounded() / 1000 } == [0, 2, 4, 6, 8, 10])
        #expect(probe.warnings.contains { $0.contains("#0 at 0.000 s, #1 at 0.040 s") }, "\(probe.warnings)")
        let text = try Subprocess.run(TestPaths.gopfarm, ["probe", source, "--plan", "--segment-seconds", "4"])
        #expect(text.stdout.contains("key frames: 6 (closed GOP) at 0.000s 2.000s 4.000s"), "\(text.stdout)")
        #expect(text.stdout.contains("its first timestamp is 3883.260 s"))
        #expect(text.stdout.contains("  1      4.000 s –     8.000 s"), "\(text.stdout)")
    }

    /// An MP4 whose edit list starts its video 10 s in is a 20 s file of 4 s of video: the
    /// realtime factor counts the video (it was twice too high), and probe says both.
    @Test("the realtime factor counts the video's seconds, not a late-starting file's")
    func realtimeOfALateStart() throws {
        let dir = TestPaths.scratch("late-start")
        defer { try? FileManager.default.removeItem(at: dir) }
        let late = dir.appendingPathComponent("late.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-i", try Fixture.h264BFramesMP4.path(), "-c", "copy", "-output_ts_offset", "10", late],
                                      timeout: 60)
        try #require(made.status == 0, "\(made.stderr)")
        struct Probe: Decodable { var duration: Double; var videoDuration: Double }
        let probe = try JSONDecoder().decode(Probe.self, from: Data(try Subprocess.run(TestPaths.gopfarm, ["probe", late, "--json"]).stdout.utf8))
        #expect(abs(probe.videoDuration - 4) < 0.05 && probe.duration > 13, "\(probe)")
        struct Report: Decodable { var seconds: Double; var speed: Double }
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", late, "-o", dir.appendingPathComponent("out.mp4").path, "--json", "--quiet",
                                                         "--agents", "1", "--no-analysis", "--preset", "ultrafast"], timeout: 120)
        try #require(run.status == 0, "\(run.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
        #expect(abs(report.speed * report.seconds - 4) < 0.1, "\(report)")
    }

    @Test("demo makes a clip, transcodes it with two agents and reports")
    func demo() throws {
        let dir = TestPaths.scratch("demo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try Subprocess.run(TestPaths.gopfarm, ["demo", "--directory", dir.path, "--seconds", "8"], timeout: 300)
        try #require(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("every source frame is in the output: yes (200/200)"), "\(out.stdout)")
        #expect(try FFmpegOracle.countFrames(dir.appendingPathComponent("sample-farm.mp4").path) == 200)
    }

    @Test("--help and usage errors follow Unix conventions")
    func usage() throws {
        let help = try Subprocess.run(TestPaths.gopfarm, ["transcode", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--segment-seconds"))
        let missing = try Subprocess.run(TestPaths.gopfarm, ["transcode"])
        #expect(missing.status == 64)
        let nestedHelp = try Subprocess.run(TestPaths.gopfarm, ["help", "jobs", "delete"])
        #expect(nestedHelp.status == 0 && nestedHelp.stdout.contains("USAGE: gopfarm jobs delete"), "\(nestedHelp.stdout)")
        let unknownHelp = try Subprocess.run(TestPaths.gopfarm, ["help", "trancode"])
        #expect(unknownHelp.status == 64 && unknownHelp.stderr.hasPrefix("gopfarm: error: unknown command 'trancode'"), "\(unknownHelp.stderr)")
        let agentHelp = try Subprocess.run(TestPaths.agent, ["--help"])
        #expect(agentHelp.status == 0 && agentHelp.stdout.contains("--coordinator"))
    }

    /// A help page reads cleanly in an 80-column terminal or a pipe: an example command is never
    /// broken by the wrapping (long ones continue with a backslash) and a paragraph is never
    /// broken by a hard newline in the text (ArgumentParser wraps it at the width).
    @Test("every command's help reads cleanly at 80 columns", arguments: [TestPaths.gopfarm, TestPaths.agent, TestPaths.benchAgent])
    func helpAt80Columns(program: String) throws {
        func help(_ path: [String], columns: Int) throws -> String {
            let out = try Subprocess.run(program, path + ["--help"], timeout: 30, environment: ["COLUMNS": "\(columns)"])
            try #require(out.status == 0, "\(path): \(out.stderr)")
            return out.stdout
        }
        /// The lines between the overview and USAGE.
        func discussion(_ text: String) -> [String] {
            let lines = text.components(separatedBy: "\n")
            let usage = lines.firstIndex { $0.hasPrefix("USAGE:") } ?? lines.endIndex
            let start = lines[..<usage].firstIndex { $0.isEmpty } ?? usage
            return Array(lines[start..<usage])
        }
        func subcommands(_ text: String) -> [String] {
            let lines = text.components(separatedBy: "\n")
            guard let start = lines.firstIndex(of: "SUBCOMMANDS:") else { return [] }
            return lines[(start + 1)...].prefix { !$0.isEmpty }.compactMap { line in
                guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
                return line.split(separator: " ").first.map { String($0) }.flatMap { $0 == "help" ? nil : $0 }
            }
        }
        var queue: [[String]] = [[]]
        var seen = 0
        while let path = queue.popLast() {
            seen += 1
            let wide = try help(path, columns: 1000), narrow = try help(path, columns: 80)
            let examples = discussion(wide).filter { $0.hasPrefix(" ") }
            let narrowLines = Set(discussion(narrow))
            for line in examples {
                #expect(line.count <= 80 && narrowLines.contains(line), "\(path): an example broken at 80 columns: \(line)")
            }
            for line in discussion(wide) where !line.isEmpty && !line.hasPrefix(" ") {
                #expect(line.last.map { ".:)".contains($0) } ?? true, "\(path): a paragraph broken by a newline: \(line)")
            }
            queue += subcommands(wide).map { path + [$0] }
        }
        #expect(seen > (program == TestPaths.gopfarm ? 20 : 0))
    }
}
