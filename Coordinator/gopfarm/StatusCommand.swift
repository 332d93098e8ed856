import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show one job: state, progress, error, warnings, output.")

    @Argument(help: "Job id (as gopfarm submit printed it).", transform: NamedArgument.nonEmpty("a job id"))
    var id: String

    @Flag(help: "Print the job as JSON on stdout.")
    var json = false

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await ClientRun.run { [self] in
            let job = try await client.makeClient().job(id)
            if json { return try ClientFormat.printJSON(job) }
            Console.out(Self.summary(job))
        }
    }

    static func summary(_ j: JobView) -> String {
        let p = j.progress
        var t = "job \(j.id): \(j.state.rawValue), \(j.priority.rawValue) priority, owner \(j.owner)\n"
        t += "  input:     \(j.input)\n"
        if let ladder = j.ladder {
            // The rungs' own encoders (a ladder may mix them), else the job's: named the same
            // before and after the job ends (the renditions name their streams: h264, hevc).
            var codecs: [String] = []
            for rung in (try? Ladder(parsing: ladder.requested))?.rungs ?? [] where !codecs.contains(rung.codec ?? j.codec) {
                codecs.append(rung.codec ?? j.codec)
            }
            t += "  output:    \(j.outputName)/ (a ladder, \(codecs.isEmpty ? j.codec : codecs.joined(separator: " and ")))\n"
        } else {
            t += "  output:    \(j.outputName) (\(j.codec))\n"
        }
        if let preset = j.preset { t += "  preset:    \(preset)\n" }
        if p.segmentsTotal > 0 || !j.state.isFinal {
            t += "  progress:  \(j.percent): \(p.segmentsDone)/\(p.segmentsTotal) segments, \(p.framesDone)/\(p.framesTotal) frames"
            if !j.state.isFinal { t += ", \(TranscodeCommand.count(p.agents, "agent")) working" }
            if p.requeues > 0 { t += ", \(p.requeues) requeued" }
            t += "\n"
        }
        t += "  submitted: \(ClientFormat.time(j.submittedAt))\n"
        if let s = j.startedAt { t += "  started:   \(ClientFormat.time(s))\n" }
        if let f = j.finishedAt {
            t += "  finished:  \(ClientFormat.time(f))"
            if let s = j.startedAt { t += " (\(ClientFormat.seconds(f.timeIntervalSince(s))))" }
            t += "\n"
        }
        if j.outputFrames != nil || j.outputBytes != nil {
            var parts: [String] = []
            if let frames = j.outputFrames { parts.append("\(frames) frames") }
            if let bytes = j.outputBytes { parts.append(ByteSize.text(Int64(bytes))) }
            t += "  result:    \(parts.joined(separator: ", "))\n"
        }
        if let r = j.reading { t += "  planning:  \(r.step.doing(j.inputName))… \(String(format: "%.0f%%", r.fraction * 100))\n" }
        if j.waitingForAgents == true { t += "  waiting:   \(JobView.waitingForAgentsText.dropFirst("waiting ".count))\n" }
        for line in ladderLines(j.ladder, id: j.id) { t += "  \(line)\n" }
        if !j.agents.isEmpty {
            t += "  agents:    \(j.agents.joined(separator: ", "))"
            if let limit = j.maxAgents { t += " (at most \(limit) at once)" }
            t += "\n"
        }
        if let timings = j.timings, let line = timeLine(timings) { t += "  time:      \(line)\n" }
        if let a = j.analysis {
            let summary = TranscodeReport.AnalysisSummary(a)
            t += "  analysis:  \(TranscodeCommand.count(a.scenes.count, "scene")), \(TranscodeCommand.count(a.transitions.count, "fade")), \(a.black.count) black, \(a.frozen.count) frozen"
            if summary.lossless { t += "; lossless" } else if let p = summary.psnrAll { t += String(format: "; PSNR %.2f dB", p) }
            if let s = summary.ssimY, !summary.lossless { t += String(format: ", SSIM %.4f", s) }
            t += " (gopfarm report \(j.id))\n"
        }
        if let e = j.error { t += "  error:     \(e)\n" }
        for w in j.warnings { t += "  warning:   \(w)\n" }
        return t
    }

    /// A ladder job's lines: what it asked for, then one per packaged track with its size and
    /// rates, then where the manifests are served.
    static func ladderLines(_ ladder: JobLadder?, id: String) -> [String] {
        guard let ladder else { return [] }
        var lines = ["ladder:    \(ladder.requested) → \(ladder.packages.joined(separator: ", ")), \(JobRules.show(ladder.segmentSeconds)) s segments"]
        if let p = ladder.probe {
            lines.append("probe:     \(p.segmentsDone)/\(p.segmentsTotal) probe encodes, \(p.agents) agent\(p.agents == 1 ? "" : "s") (choosing the rungs)")
        }
        let table = ladder.renditions.map { r -> [String] in
            var rates = ""
            if let avg = r.averageBitrate { rates = JobLadder.bitRate(avg) }
            if let peak = r.peakBitrate { rates += " (peak \(JobLadder.bitRate(peak)))" }
            var quality = ""
            if let psnr = r.psnr { quality = String(format: "PSNR %.2f dB", psnr) }
            if let ssim = r.ssim { quality += String(format: ", SSIM %.4f", ssim) }
            return [r.kind.rawValue, r.name, r.codec, r.size ?? r.language ?? "", ByteSize.text(Int64(r.bytes)), rates, quality]
        }
        // Columns padded to their widest cell, so the renditions read as a table.
        let widths = (0..<7).map { c in table.map { $0[c].count }.max() ?? 0 }
        for row in table {
            lines.append(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        if let hls = ladder.hlsURL { lines.append("hls:       \(hls)") }
        if let dash = ladder.dashURL { lines.append("dash:      \(dash)") }
        return lines
    }

    /// Where the time went, in the order it is spent: "probe 0.6 s, plan 0.0 s, segments 147.5 s
    /// (3 attempts, 153.2 MB sent), stitch 0.2 s, analysis 0.1 s" (`--json` has every attempt).
    static func timeLine(_ t: JobTimings) -> String? {
        var parts: [String] = []
        if let s = t.probeSeconds { parts.append("probe \(ClientFormat.seconds(s))") }
        if let s = t.planSeconds { parts.append("plan \(ClientFormat.seconds(s))") }
        if let start = t.dispatchStart, let end = t.dispatchEnd {
            let sent = t.attempts.reduce(0) { $0 + $1.sentBytes }
            parts.append("segments \(ClientFormat.seconds(end - start)) (\(TranscodeCommand.count(t.attempts.count, "attempt")), \(ByteSize.text(Int64(sent))) sent)")
        }
        if let s = t.stitchSeconds { parts.append("stitch \(ClientFormat.seconds(s))") }
        if let s = t.analysisSeconds { parts.append("analysis \(ClientFormat.seconds(s))") }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }
}
