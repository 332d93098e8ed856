/// The farm's work as a Gantt chart: one row per agent (in the order they started work), one
/// bar per segment from its lease to its result, labelled with the segment's index.
struct TimelineChart {
    let segments: [JobAnalysis.Segment]

    /// Segments that carry both timings; the others cannot be placed.
    var placed: [JobAnalysis.Segment] {
        segments.filter { s in
            guard let a = s.startedAt, let b = s.finishedAt else { return false }
            return a.isFinite && b.isFinite && b >= a
        }
    }

    /// Agents in the order of their first lease.
    var agents: [String] {
        var seen = Set<String>(), out: [String] = []
        for s in placed.sorted(by: { ($0.startedAt!, $0.index) < ($1.startedAt!, $1.index) }) where seen.insert(s.agent).inserted {
            out.append(s.agent)
        }
        return out
    }

    /// The chart, or nil when no segment has timings.
    func svg() -> String? {
        let bars = placed
        guard !bars.isEmpty else { return nil }
        let rows = agents
        let row = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let start = min(0, bars.map { $0.startedAt! }.min()!)
        let end = bars.map { $0.finishedAt! }.max()!
        let rowHeight = 30.0
        var plot = SVGPlot(x: start...max(end, start + 0.001), y: 0...Double(rows.count), yTitle: "agent",
                           height: Double(rows.count) * rowHeight + SVGPlot.top + SVGPlot.bottom, left: 170)
        plot.xTitle = "since the job started"
        // Row 0 at the top: it spans values rows…rows-1 of the (upward) value axis.
        plot.yLabels = rows.enumerated().map { (Double(rows.count - $0) - 0.5, Self.shortened($1)) }
        for s in bars {
            let r = Double(rows.count - row[s.agent]!)
            let took = s.finishedAt! - s.startedAt!
            plot.bar(from: s.startedAt!, to: s.finishedAt!, low: r - 0.85, high: r - 0.15,
                     class: s.index % 2 == 0 ? "bar bar-even" : "bar bar-odd", label: "\(s.index)",
                     title: "segment \(s.index) on \(s.agent): \(ReportFormat.number(took, digits: 2)) s, "
                         + "from \(ReportFormat.number(s.startedAt, digits: 2)) s to \(ReportFormat.number(s.finishedAt, digits: 2)) s")
        }
        return plot.svg(label: "segments per agent over the job's wall time")
    }

    /// An agent name that fits the label column (the full name is in each bar's tooltip).
    static func shortened(_ name: String) -> String {
        name.count <= 24 ? name : String(name.prefix(23)) + "…"
    }
}
