import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Print what the coordinator learns about a file: streams, frames, key frames, GOP structure.")

    @Argument(help: "Video file.")
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Also print the segment plan: where the cuts land, frames per segment, priming.")
    var plan = false

    @Flag(help: "With --plan: extract every segment as agents would get it, and time the split.")
    var extract = false

    @Option(parsing: .unconditional, help: "With --plan: target segment length in seconds.")
    var segmentSeconds: Double = 10

    struct PlannedProbe: Encodable {
        var probe: MediaInfo
        var split: SplitReport
    }

    func validate() throws {
        do { try JobRules.checkSegmentSeconds(segmentSeconds) } catch { throw ValidationError(error.description) }
    }

    func run() throws {
        CLIEnvironment.bootstrap(verbose: false)
        do {
            if plan || extract {
                try JobRules.checkSegmentSeconds(segmentSeconds)
                let (probe, split) = try showingProgress { try SplitReport.run(path: file, segmentSeconds: segmentSeconds, extract: extract, progress: $0) }
                if json { try CLIEnvironment.printJSON(PlannedProbe(probe: probe.info, split: split)); return }
                printText(probe.info)
                var t = "  plan: \(TranscodeCommand.count(split.segments.count, "segment"))" + (split.segments.count == 1 ? "\n" : " of about \(segmentSeconds) s\n")
                for s in split.segments {
                    t += String(format: "    %4d  %9.3f s – %@  %6d frames  %6d packets%@%@\n", s.index, s.start,
                                s.end.map { String(format: "%9.3f s", $0) } ?? "      end", s.frames, s.packets,
                                s.primed ? "  primed" : "", s.bytes.map { "  " + ByteSize.text(Int64($0)) } ?? "")
                }
                t += String(format: "  probe + plan: %.3f s", split.probeSeconds)
                if let e = split.extractSeconds { t += String(format: ", extraction of every segment: %.3f s", e) }
                t += String(format: " — %.0f× realtime\n", split.speed)
                Console.out(t)
                return
            }
            let probed = try showingProgress { try MediaProbe(path: file, progress: $0) }
            if json { try CLIEnvironment.printJSON(probed.info); return }
            printText(probed.info)
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }

    /// A large file takes seconds to read (minutes to decode, for H.264 in AVI): while `body`
    /// probes, the same `reading NAME… 45%` line as transcode's, on stderr, gone before the answer.
    private func showingProgress<T>(_ body: (@escaping MediaProbe.Progress) throws -> T) throws -> T {
        var line = ProgressLine()
        let name = (file as NSString).lastPathComponent, started = MonotonicClock.now()
        defer { line.finish() }
        return try body { step, fraction in line.reading(name, step, fraction, elapsed: MonotonicClock.now() - started) }
    }

    func printText(_ info: MediaInfo) {
        var t = "\(info.path): \(info.containerLongName), \(String(format: "%.3f", info.duration)) s, \(info.sizeBytes) bytes\n"
        for s in info.streams {
            t += "  stream \(s.index): \(s.type) \(s.codec)"
            if let w = s.width, let h = s.height { t += " \(w)x\(h) \(s.pixelFormat ?? "?")" }
            if let r = s.averageFrameRate, r.isValid { t += String(format: " %.3f fps", r.doubleValue) }
            if let range = s.colorRange, range != "unknown" { t += " range=\(range)" }
            if let p = s.colorPrimaries, p != "unknown" { t += " primaries=\(p)" }
            if let trc = s.colorTransfer, trc != "unknown" { t += " transfer=\(trc)" }
            if let rot = s.rotation, rot != 0 { t += " rotation=\(rot)" }
            if let sr = s.sampleRate { t += " \(sr) Hz \(s.channels ?? 0) ch" }
            if let l = s.language { t += " [\(l)]" }
            t += "\n"
            if let hdr = s.hdr { t += "    HDR: \(hdr)\n" }
        }
        t += "  video frames: \(info.frameCount)"
        if let d = info.declaredFrameCount { t += " (index declares \(d))" }
        t += info.variableFrameRate ? ", variable frame rate" : ", constant frame rate"
        t += "\n  key frames: \(info.keyFrames.count)\(info.openGOP ? " (open GOP, * = open)" : " (closed GOP)") at "
        t += info.keyFrames.prefix(12).map { String(format: "%.3fs%@", $0.time, $0.kind == "open" ? "*" : "") }.joined(separator: " ")
        t += info.keyFrames.count > 12 ? " …\n" : "\n"
        if let start = info.startTime, abs(start) >= 0.0005 {
            t += String(format: "  times count from the file's start: its first timestamp is %.3f s\n", start)
        }
        for w in info.warnings { t += "  warning: \(w)\n" }
        Console.out(t)
    }
}
