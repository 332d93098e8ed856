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
}
