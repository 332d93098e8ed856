import Foundation
import GopfarmCommon

/// An automatic ladder's record beside its manifests: `ladder.json` (the probe's measurements
/// and the choice) and `ladder.html` (the rate-quality plot: hull, chosen rungs, the fixed
/// reference ladder).
public enum LadderFiles {
    public static func write(_ choice: LadderChoice, into directory: URL) throws(MediaError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(choice).write(to: directory.appendingPathComponent("ladder.json"), options: .atomic)
            try Data(page(choice).utf8).write(to: directory.appendingPathComponent("ladder.html"), options: .atomic)
        } catch {
            throw MediaError(.invalidOption, "cannot write the ladder record: \(error.localizedDescription)", path: directory.path)
        }
    }

    /// One self-contained page: what was probed, the plot, and the chosen rungs.
    static func page(_ choice: LadderChoice) -> String {
        let bd = choice.bdRateAgainstReference.map { String(format: "%+.1f %%", $0) } ?? "not comparable (the PSNR ranges do not overlap)"
        let rows = zip(choice.rungs, choice.chosen).map { rung, c in
            "<tr><td>\(rung.name.htmlEscaped)</td><td>\(c.width)x\(c.height)</td><td>\(JobRules.show(c.crf))</td>"
                + "<td>\(c.maxrate / 1000) kbit/s</td><td>\(rung.bitrate / 1000) kbit/s</td><td>\(String(format: "%.2f dB", c.expectedPSNR))</td></tr>"
        }.joined()
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>gopfarm: automatic ladder</title>
            <style>\(ReportStyle.css)\n\(LadderPlot.css)</style></head><body><main>
            <h1>Automatic ladder</h1>
            <p>\(choice.points.count) probe encodes (every size &times; CRF, uncapped) of \(choice.sampleSegments.count) segment(s),
            \(String(format: "%.1f", choice.sampleSeconds)) s of the title; PSNR on the upscale to the source size.
            BD-rate of the chosen rungs against the fixed ladder \(LadderProbe.reference) on the same frames: \(bd).</p>
            \(choice.plot.html())
            <h2>Chosen rungs</h2>
            <table><thead><tr><th>rung</th><th>size</th><th>CRF</th><th>probe rate</th><th>cap</th><th>expected PSNR</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            </main></body></html>
            """
    }
}
