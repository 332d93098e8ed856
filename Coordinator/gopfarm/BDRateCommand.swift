import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator

/// Compares two ladders of one title by their measured rungs: the Bjøntegaard delta rate.
struct BDRateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bd-rate",
        abstract: "Compare two ladders of the same title: how many more or fewer bits the second needs at equal PSNR.",
        discussion: """
            Takes the --json reports of two `gopfarm transcode --ladder` runs of the same source with PSNR measured (analysis on), e.g. a fixed ladder and --ladder auto:
              gopfarm transcode film.mov -o fixed/ \\
                  --ladder 1080p:6M,720p:3M,480p:1.2M,360p:700k --json > fixed.json
              gopfarm transcode film.mov -o auto/ --ladder auto --json > auto.json
              gopfarm bd-rate fixed.json auto.json

            Negative means the second ladder needs fewer bits for the same quality (BD-rate, PCHIP interpolation of log rate over PSNR on the overlapping PSNR range; average bit rate of each rung). A one-rung ladder is compared at its one PSNR with the first ladder's rate there.
            """)

    @Argument(help: "The anchor's report (e.g. the fixed ladder).")
    var anchor: String

    @Argument(help: "The report to compare with it (e.g. --ladder auto).")
    var test: String

    @Flag(help: "Print the result as JSON.")
    var json = false

    struct Result: Encodable {
        var anchor: [Point]
        var test: [Point]
        /// Percent; nil when it cannot be computed (`why` says why).
        var bdRate: Double?
        var why: String?
    }

    struct Point: Encodable {
        var name: String
        var bitrate: Int
        var psnr: Double
    }

    func run() throws {
        do {
            let result = Result(anchor: try Self.points(anchor), test: try Self.points(test), bdRate: nil, why: nil)
            var out = result
            let anchorCurve = result.anchor.map { (rate: Double($0.bitrate), quality: $0.psnr) }
            let testCurve = result.test.map { (rate: Double($0.bitrate), quality: $0.psnr) }
            // A one-rung ladder (simple content) is compared at its one quality.
            out.bdRate = testCurve.count == 1 ? BDRate.percent(anchor: anchorCurve, at: testCurve[0])
                : BDRate.percent(anchor: anchorCurve, test: testCurve)
            if out.bdRate == nil { out.why = Self.why(anchor: result.anchor, test: result.test) }
            if json { try CLIEnvironment.printJSON(out); return }
            var text = ""
            for (label, points) in [(anchor, out.anchor), (test, out.test)] {
                text += "\(label): " + points.map { String(format: "%@ %.0f kbit/s %.2f dB", $0.name, Double($0.bitrate) / 1000, $0.psnr) }.joined(separator: ", ") + "\n"
            }
            text += out.bdRate.map { String(format: "BD-rate %+.1f%%\n", $0) } ?? "BD-rate: none, \(out.why ?? "")\n"
            Console.out(text)
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }

    /// Why no BD-rate came out: the anchor curve needs 2 rungs, or the qualities do not meet
    /// (QA: a one-rung anchor was reported as ranges that "do not overlap").
    static func why(anchor: [Point], test: [Point]) -> String {
        if anchor.count < 2 { return "the anchor has \(anchor.count) rung with PSNR and a rate curve needs 2 or more" }
        if test.isEmpty { return "the test report has no rung with PSNR" }
        let range = { (p: [Point]) in String(format: "%.2f–%.2f dB", p.map(\.psnr).min() ?? 0, p.map(\.psnr).max() ?? 0) }
        return "the two ladders' PSNR ranges do not overlap (\(range(anchor)) and \(range(test)))"
    }

    /// The measured rungs of a `transcode --ladder --json` report.
    static func points(_ path: String) throws -> [Point] {
        let report: TranscodeReport
        let data: Data
        guard FileManager.default.fileExists(atPath: path) else { throw MediaError(.invalidOption, "no such file", path: path) }
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw MediaError(.invalidOption, "cannot read it: \(OutputPlace.reason(error))", path: path)
        }
        do { report = try JSONDecoder().decode(TranscodeReport.self, from: data) } catch {
            throw MediaError(.invalidOption, "not the --json report of gopfarm transcode", path: path)
        }
        guard let renditions = report.renditions, !renditions.isEmpty else {
            throw MediaError(.invalidOption, "it reports no ladder renditions; give the report of a transcode --ladder run", path: path)
        }
        let points = renditions.compactMap { r in r.psnr.map { Point(name: r.name, bitrate: r.averageBitrate, psnr: $0) } }
        guard points.count == renditions.count else {
            throw MediaError(.invalidOption, "it has no PSNR for some rungs; run the transcode without --no-analysis", path: path)
        }
        return points
    }
}
