import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Logging

struct TranscodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcode",
        abstract: "Cut a video at key frames, encode the segments on agents in parallel, stitch them back.",
        discussion: """
            Example:
              gopfarm transcode talk.mp4 -o talk-h264.mp4 --agents 2 --codec libx264 \\
                  --crf 23 --preset medium

            A streaming ladder from one decode, packaged for HLS and DASH into film/ (--ladder auto chooses the rungs for this title from probe encodes):
              gopfarm transcode film.mov -o film/ \\
                  --ladder 1080p:6M,720p:3M,480p:1.2M,360p:700k --package hls,dash

            Remote agents can join a transcode started with --bind tcp://0.0.0.0:5555 --insecure:
              gopfarm-agent --coordinator tcp://THIS-HOST:5555 --insecure
            transcode speaks plain TCP to agents; beyond loopback that needs --insecure (use gopfarm serve for CURVE).
            """)

    @Argument(help: "Input video file.")
    var input: String

    @OptionGroup(title: "Farm") var farm: FarmOptions

    @Option(name: [.short, .long], help: "Output file (.mp4, .mov, .mkv, .webm); with --ladder, a directory.")
    var output: String

    @OptionGroup var encode: EncodeOptions

    @OptionGroup(title: "Analysis (written to OUTPUT.analysis.json and OUTPUT.thumbnails/)") var analysis: AnalysisOptions

    @Flag(help: "Encode only: no scene, black, frozen, statistics or PSNR/SSIM records.")
    var noAnalysis = false

    @Flag(help: "Skip PSNR/SSIM of the encoded frames (they decode each segment's output once more).")
    var noQuality = false

    @Flag(help: "Keep the spool directory (encoded segments, agent logs) next to the output.")
    var keepSpool = false

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Log what the coordinator does.")
    var verbose = false

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        CLIEnvironment.bootstrap(verbose: verbose)
        // The rules every option value must pass, before any work: a value that breaks one is a
        // usage error (exit 64, with the hint), like a value the parser refuses.
        var options: TranscodeOptions
        do {
            options = TranscodeOptions(input: input, output: output, settings: try encode.settings(threads: farm.threads))
            options.agents = farm.agents
            options.segmentSeconds = farm.segmentSeconds
            options.bind = farm.bind
            options.keepSpool = keepSpool
            options.analysis = noAnalysis ? nil : analysis.settings
            options.analysis?.quality = !noQuality
            try options.validate()
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
        var line = ProgressLine()
        line.quiet = quiet
        // Until the first segment's progress: the probe reads the whole input (seconds for an
        // hour of MPEG-TS), which was silence on a terminal.
        let name = (input as NSString).lastPathComponent
        line.status("reading \(name)…")
        let started = MonotonicClock.now()
        do {
            let job = TranscodeJob(options: options, logger: Logger(label: "gopfarm.coordinator"))
            let remote = farm.expectsRemoteAgents
            let report = try job.run(listening: { endpoint in
                if remote && !quiet { Console.error("listening for agents on \(endpoint)\n") }
            }, reading: { step, fraction in
                line.reading(name, step, fraction, elapsed: MonotonicClock.now() - started)
            }, progress: { p, elapsed in line.update(p, elapsed: elapsed) })
            line.finish()
            HeldLog.shared.release()
            if json { try CLIEnvironment.printJSON(report) } else { Self.printSummary(report) }
        } catch {
            line.finish()
            throw CLIEnvironment.fail(error)
        }
    }

    static func printSummary(_ r: TranscodeReport) {
        var text = "\(r.output): \(Self.count(r.frames, "frame")) (source \(r.sourceFrames)), \(Self.count(r.segments.count, "segment")) on \(Self.count(r.agents.count, "agent")) in \(String(format: "%.1f", r.seconds)) s"
        text += String(format: " (%.1f fps, %.2fx realtime), %@\n", r.framesPerSecond, r.speed, ByteSize.text(r.outputBytes))
        text += "streams: \(r.streams.joined(separator: ", "))\n"
        if let choice = r.ladderChoice {
            text += "ladder auto: \(Self.count(choice.points.count, "probe encode")) of \(Self.count(choice.sampleSegments.count, "segment")) chose \(Self.count(choice.rungs.count, "rung"))"
            if let bd = choice.bdRateAgainstReference { text += String(format: " (BD-rate %+.1f%% against %@)", bd, LadderProbe.reference) }
            text += "; ladder.html plots them\n"
        }
        for rendition in r.renditions ?? [] {
            // Padded here: Foundation on Linux ignores a width on %@.
            let name = rendition.name.padding(toLength: max(12, rendition.name.count), withPad: " ", startingAt: 0)
            let size = ByteSize.text(Int64(rendition.bytes))
            text += "  \(name) " + String(format: "%5dx%-5d ", rendition.width, rendition.height)
                + String(repeating: " ", count: max(0, 10 - size.count)) + size
                + String(format: "  %6.0f kbit/s avg  %6.0f kbit/s peak", Double(rendition.averageBitrate) / 1000, Double(rendition.peakBitrate) / 1000)
            if let psnr = rendition.psnr { text += String(format: "  PSNR %.2f dB", psnr) }
            text += "\n"
        }
        if r.requeues > 0 || r.agentRestarts > 0 { text += "requeued segments: \(r.requeues), agent restarts: \(r.agentRestarts)\n" }
        if let a = r.analysis {
            text += "analysis: \(Self.count(a.scenes, "scene")), \(Self.count(a.fades, "fade")), \(a.blackIntervals) black, \(a.frozenIntervals) frozen"
            if a.lossless { text += "; lossless (PSNR ∞)" } else if let p = a.psnrAll { text += String(format: "; PSNR %.2f dB", p) }
            if let s = a.ssimY, !a.lossless { text += String(format: ", SSIM %.4f", s) }
            text += r.renditions == nil ? " (\(r.output).analysis.json)\n" : " (\((r.output as NSString).appendingPathComponent("analysis.json")))\n"
        }
        for w in r.warnings { text += "warning: \(w)\n" }
        Console.out(text)
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

}
