import Foundation
import GopfarmCommon
import GopfarmCoordinator

/// Progress on stderr: a redrawn bar on a terminal, a quiet line every few seconds in a pipe.
struct ProgressLine {
    let isTerminal = isatty(STDERR_FILENO) == 1
    var lastLine = 0.0  // in a pipe, the first line after 5 s
    /// The same for the probe's lines, on the command's clock (the dispatch's starts at 0).
    private var lastReadingLine = 0.0
    var quiet = false
    /// A bar is on the terminal's last line.
    private var drawn = false

    /// The step of the job last named (`DispatchProgress.phase`): each step is its own dispatch,
    /// whose `elapsed` counts from its own start.
    private var phase: String?

    mutating func update(_ p: DispatchProgress, elapsed: Double) {
        // A step with nothing to count (the stitch): its name, once.
        if p.framesTotal == 0, let step = p.phase, step != phase, !quiet {
            phase = step
            // In a pipe only after progress lines (a short job prints none, so no lone word).
            if isTerminal { status("\(step)…") } else if lastLine > 0 { Console.error("\(step)\n") }
            return
        }
        guard !quiet, p.framesTotal > 0 else { return }
        phase = p.phase
        let fraction = min(1, Double(p.framesDone) / Double(p.framesTotal))
        let fps = Double(p.framesDone) / max(elapsed, 0.001)
        // No estimate before the first frame is done (it said "ETA 0:00" at 0 %).
        let eta = fps > 0 ? Self.clock(Double(p.framesTotal - p.framesDone) / fps) : "--:--"
        let stats = String(format: "%d/%d segments  %d/%d frames  %.1f fps  ETA %@  agents %d",
                           p.segmentsDone, p.segmentsTotal, p.framesDone, p.framesTotal, fps, eta, p.agents)
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            Console.error("\r\(p.phase.map { "\($0) " } ?? "")\(bar) \(String(format: "%3.0f%%", fraction * 100)) \(stats)\u{1B}[K")
            drawn = true
        } else if elapsed - lastLine >= 5 {
            lastLine = elapsed
            Console.error("\(p.phase ?? "progress") \(String(format: "%.0f%%", fraction * 100)) \(stats)\n")
        }
    }

    /// The probe's pass through the input, before the bar: on a terminal `reading NAME… 45%`,
    /// in a pipe a line every 5 s (an hour of H.264 in AVI is minutes of decoding for the frames'
    /// order, which was one unchanging word).
    mutating func reading(_ name: String, _ step: ProbeStep, _ fraction: Double, elapsed: Double) {
        guard !quiet else { return }
        let what = step.doing(name)
        if isTerminal {
            status("\(what)… \(String(format: "%.0f%%", fraction * 100))")
        } else if elapsed - lastReadingLine >= 5 {
            lastReadingLine = elapsed
            Console.error("\(what) \(String(format: "%.0f%%", fraction * 100))\n")
        }
    }

    /// A word in the bar's place on a terminal (`planning…`), taken off like the bar.
    mutating func status(_ text: String) {
        guard isTerminal, !quiet else { return }
        Console.error("\r\(text)\u{1B}[K")
        drawn = true
    }

    /// Takes the bar off the terminal, so that what follows (the summary, or an error after a
    /// Ctrl-C that the terminal echoed as ^C) starts on a clean line: a bar left frozen at 90 %
    /// above a success read as a job that stopped.
    mutating func finish() {
        if drawn { Console.error("\r\u{1B}[K") }
        drawn = false
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
