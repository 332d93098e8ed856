import GopfarmCommon
/// The farm's work as a Gantt chart: one row per agent (in the order they started work), one
/// bar per segment from its lease to its result, labelled with the segment's index.
///
/// Public for `gopfarm bench`, which draws every attempt of a job (lost speculative copies and
/// failures too, in their own classes) and puts the charts of several jobs on one time scale.
public struct TimelineChart {
    /// One bar: a segment (or one attempt at it) on one agent, from `start` to `end` seconds.
    public struct Bar: Sendable {
        public var index: Int
        public var agent: String
        public var start: Double
        public var end: Double
        /// The bar's CSS classes; nil alternates `bar-even`/`bar-odd` by segment index.
        public var cls: String?
        /// The tooltip; nil says the segment, agent and times.
        public var title: String?
        /// The text inside the bar when it fits; nil is the segment's index.
        public var label: String?

        public init(index: Int, agent: String, start: Double, end: Double, cls: String? = nil, title: String? = nil, label: String? = nil) {
            self.index = index
            self.agent = agent
            self.start = start
            self.end = end
            self.cls = cls
            self.title = title
            self.label = label
        }
    }

    public let bars: [Bar]
    /// The time axis; nil spans the bars (from 0 or the first lease, whichever is earlier).
    public var timeRange: ClosedRange<Double>?
    /// What the time axis counts from.
    public var xTitle = "since the job started"
    /// Stretches shaded behind the bars (the coordinator's own phases: split, stitch).
    public var bands: [(from: Double, to: Double, cls: String, title: String)] = []

    public init(bars: [Bar]) { self.bars = bars }

    /// The accepted attempt of each segment of an analysis record.
    init(segments: [JobAnalysis.Segment]) {
        bars = segments.compactMap { s in
            guard let a = s.startedAt, let b = s.finishedAt else { return nil }
            return Bar(index: s.index, agent: s.agent, start: a, end: b)
        }
    }

    /// Bars whose times can be drawn; the others cannot be placed.
    public var placed: [Bar] {
        bars.filter { $0.start.isFinite && $0.end.isFinite && $0.end >= $0.start }
    }

    /// Agents in the order of their first lease.
    public var agents: [String] {
        var seen = Set<String>(), out: [String] = []
        for b in placed.sorted(by: { ($0.start, $0.index) < ($1.start, $1.index) }) where seen.insert(b.agent).inserted {
            out.append(b.agent)
        }
        return out
    }

    /// The chart, or nil when no bar can be placed.
    public func svg() -> String? {
        let bars = placed
        guard !bars.isEmpty else { return nil }
        let rows = agents
        let row = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
        let start = min(0, bars.map(\.start).min()!)
        let end = bars.map(\.end).max()!
        let rowHeight = 30.0
        var plot = SVGPlot(x: timeRange ?? start...max(end, start + 0.001), y: 0...Double(rows.count), yTitle: "agent",
                           height: Double(rows.count) * rowHeight + SVGPlot.top + SVGPlot.bottom, left: 170)
        plot.xTitle = xTitle
        // Row 0 at the top: it spans values rows…rows-1 of the (upward) value axis.
        plot.yLabels = rows.enumerated().map { (Double(rows.count - $0) - 0.5, Self.shortened($1)) }
        for b in bands where b.to > b.from { plot.band(from: b.from, to: b.to, class: b.cls, title: b.title) }
        for b in bars {
            let r = Double(rows.count - row[b.agent]!)
            let took = b.end - b.start
            plot.bar(from: b.start, to: b.end, low: r - 0.85, high: r - 0.15,
                     class: b.cls ?? (b.index % 2 == 0 ? "bar bar-even" : "bar bar-odd"), label: b.label ?? "\(b.index)",
                     title: b.title ?? "segment \(b.index) on \(b.agent): \(ReportFormat.number(took, digits: 2)) s, "
                         + "from \(ReportFormat.number(b.start, digits: 2)) s to \(ReportFormat.number(b.end, digits: 2)) s")
        }
        return plot.svg(label: "segments per agent over the job's wall time")
    }

    /// An agent name that fits the label column (the full name is in each bar's tooltip).
    public static func shortened(_ name: String) -> String {
        name.count <= 24 ? name : String(name.prefix(23)) + "…"
    }
}
