import Foundation
import GopfarmCoordinator
import GopfarmCommon

/// The human-readable view of a `JobAnalysis`: scenes, fades, intervals, statistics.
struct AnalysisSummaryText {
    let analysis: JobAnalysis

    init(_ analysis: JobAnalysis) { self.analysis = analysis }

    var text: String {
        let a = analysis
        var lines = ["\(a.frames) frames, \(Self.time(a.duration)); \(a.scenes.count) scene\(a.scenes.count == 1 ? "" : "s"), \(a.transitions.count) fade\(a.transitions.count == 1 ? "" : "s"), \(a.black.count) black and \(a.frozen.count) frozen interval\(a.frozen.count == 1 ? "" : "s")"]
        var table = TextTable("SCENE", "START", "FRAME", "LENGTH", "BEGINS WITH", rightAligned: [0, 2])
        for s in a.scenes {
            table.rows.append([String(s.index), Self.time(s.start), String(s.startFrame), Self.time(s.end - s.start),
                       s.kind == .cut ? String(format: "cut (%.1f)", s.score ?? 0) : s.kind.rawValue])
        }
        lines.append(table.text.trimmingCharacters(in: .newlines))
        for t in a.transitions { lines.append("\(t.kind.rawValue): frames \(t.startFrame)–\(t.endFrame - 1), \(Self.time(t.start))–\(Self.time(t.end))") }
        for b in a.black { lines.append("black: frames \(b.startFrame)–\(b.endFrame - 1), \(Self.time(b.start))–\(Self.time(b.end)) (\(String(format: "%.2f", b.duration)) s)") }
        for f in a.frozen { lines.append("frozen: frames \(f.startFrame)–\(f.endFrame - 1), \(Self.time(f.start))–\(Self.time(f.end)) (\(String(format: "%.2f", f.duration)) s)") }
        let s = a.statistics
        lines.append(String(format: "luma mean %.1f (min %d, max %d), colourfulness %.1f, motion %.2f, sharpness %.0f",
                            s.lumaMean, s.lumaMin, s.lumaMax, s.colourfulness, s.motion, s.sharpness))
        for w in a.source?.warnings ?? [] { lines.append("warning: \(w)") }
        return lines.joined(separator: "\n")
    }

    static func time(_ seconds: Double) -> String {
        let ms = Int((seconds * 1000).rounded())
        return String(format: "%d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
    }
}
