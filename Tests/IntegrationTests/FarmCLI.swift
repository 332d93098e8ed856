import Foundation
import TestSupport

/// Runs the real `gopfarm` executable (which starts real `gopfarm-agent` processes talking
/// ZeroMQ over loopback) and decodes its `--json` report.
enum FarmCLI {
    struct Report: Decodable {
        struct Segment: Decodable {
            var index: Int
            var frames: Int
            var agent: String
            var primed: Bool
        }
        var frames: Int
        var sourceFrames: Int
        var segments: [Segment]
        var agents: [String]
        var requeues: Int
        var agentRestarts: Int
        var streams: [String]
        var warnings: [String]
    }

    struct Run {
        var output: Subprocess.Output
        var report: Report?
    }

    static func transcode(_ input: String, to output: String, _ arguments: [String], timeout: Double = 300) throws -> Run {
        let out = try Subprocess.run(TestPaths.gopfarm, ["transcode", input, "-o", output, "--json", "--quiet"] + arguments, timeout: timeout)
        let report = out.status == 0 ? try? JSONDecoder().decode(Report.self, from: Data(out.stdout.utf8)) : nil
        return Run(output: out, report: report)
    }

    /// The `--json` report at the end of a log that also holds progress lines.
    static func report(fromLog log: String) throws -> Report {
        let json = log.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("{") }.joined(separator: "\n")
        return try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }

    /// Number of key frames the probe finds (to know how often a clip can be cut).
    static func keyFrameCount(_ path: String) throws -> Int {
        struct Probe: Decodable { struct K: Decodable { var kind: String }; var keyFrames: [K] }
        let out = try Subprocess.run(TestPaths.gopfarm, ["probe", path, "--json"], timeout: 60)
        return try JSONDecoder().decode(Probe.self, from: Data(out.stdout.utf8)).keyFrames.count
    }
}
