import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Logging

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make a sample video, transcode it with two local agents, and print a short report.")

    @Option(help: "Directory for the sample and its transcode.")
    var directory: String = "gopfarm-demo"

    @Option(help: "Length of the sample in seconds.")
    var seconds: Int = 20

    func run() throws {
        CLIEnvironment.bootstrap(verbose: false)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let sample = (directory as NSString).appendingPathComponent("sample.mp4")
            let output = (directory as NSString).appendingPathComponent("sample-farm.mp4")
            CLIEnvironment.say("making \(sample): \(seconds) s of 640x360 25 fps test pattern with a tone (libx264 + AAC via libavcodec)")
            try SampleClip(width: 640, height: 360, frameRate: 25, seconds: seconds, gop: 50).write(to: sample)
            var options = TranscodeOptions(input: sample, output: output,
                                           settings: EncodeSettings(codec: "libx264", crf: 23, preset: "fast"))
            options.agents = 2
            options.segmentSeconds = 4
            CLIEnvironment.say("transcoding with 2 local agents, 4 s segments, libx264 crf 23")
            var line = ProgressLine()
            let report = try TranscodeJob(options: options, logger: Logger(label: "gopfarm.coordinator"))
                .run(progress: { p, e in line.update(p, elapsed: e) })
            line.finish()
            TranscodeCommand.printSummary(report)
            for s in report.segments {
                CLIEnvironment.say(String(format: "  segment %2d: %4d frames on %@ in %.2f s", s.index, s.frames, s.agent, s.encodeSeconds))
            }
            CLIEnvironment.say("every source frame is in the output: \(report.frames == report.sourceFrames ? "yes" : "NO") (\(report.frames)/\(report.sourceFrames))")
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }
}
