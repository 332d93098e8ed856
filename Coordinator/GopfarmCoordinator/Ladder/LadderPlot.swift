import Foundation

/// The per-title ladder in the job's report: rate (log scale) against PSNR, with every probe
/// encode (a small mark, one colour per resolution), the hull through the efficient ones, the
/// chosen rungs (large marks, labelled with their height) and, for comparison, a fixed
/// ladder's measured rungs.
///
/// Drawn with the report's `SVGPlot`; the horizontal axis is log₁₀ of the rate in kbit/s with
/// ticks at round rates. Its colours are the classes in `css`, added after `ReportStyle.css`.
public struct LadderPlot {
    public var points: [ProbePoint]
    public var rungs: [ChosenRung]
    /// Measured rungs of a fixed ladder (bits per second, PSNR), e.g. the same title encoded
    /// with `--ladder 1080p:6M,720p:3M,480p:1.2M,360p:700k`.
    public var fixed: [(bitrate: Double, psnr: Double, label: String)]
    public var fixedTitle: String

    public init(points: [ProbePoint], rungs: [ChosenRung], fixed: [(bitrate: Double, psnr: Double, label: String)] = [],
                fixedTitle: String = "fixed ladder") {
        self.points = points
        self.rungs = rungs
        self.fixed = fixed
        self.fixedTitle = fixedTitle
    }

    public static let xTitle = "bitrate (kbit/s, log)"
    public static let yTitle = "PSNR (dB)"
    /// Colours of the probe's resolutions, largest first; more resolutions reuse them.
    static let palette = ["#2f5fb3", "#d17a00", "#3fa34d", "#7a4fc2", "#c2417a", "#2aa5b8"]

    public static var css: String {
        var out = ".ladder-hull{stroke:#1d2330;stroke-width:2;fill:none}.sw.ladder-hull{background:#1d2330;height:2px}\n"
        out += ".ladder-rung{fill:#b3261e;stroke:#fff;stroke-width:1.5}.sw.ladder-rung{background:#b3261e;border-radius:50%}\n"
        out += ".ladder-fixed{fill:#8a8f99;stroke:#fff;stroke-width:1}.ladder-fixed-line{stroke:#8a8f99;stroke-width:1.5;stroke-dasharray:5 4;fill:none}"
        out += ".sw.ladder-fixed{background:#8a8f99}\n"
        for (i, colour) in palette.enumerated() {
            out += ".ladder-res-\(i){fill:\(colour);opacity:.75}.sw.ladder-res-\(i){background:\(colour)}\n"
        }
        return out
    }

    /// Probe heights, largest first: the order of the colours.
    var heights: [Int] { Array(Set(points.filter(\.isUsable).map(\.height))).sorted(by: >) }

    /// The legend and the chart.
    public func html() -> String {
        var keys = heights.enumerated().map { ("ladder-res-\($0.offset % Self.palette.count)", "probe \($0.element)p") }
        keys.append(("ladder-hull", "convex hull"))
        if !rungs.isEmpty { keys.append(("ladder-rung", "chosen rungs")) }
        if !fixed.isEmpty { keys.append(("ladder-fixed", fixedTitle)) }
        return "<div class=\"legend\">" + keys.map { "<span><i class=\"sw \($0.0)\"></i>\($0.1.htmlEscaped)</span>" }.joined() + "</div>" + svg()
    }

    public func svg() -> String {
        let usable = points.filter(\.isUsable)
        let fixedUsable = fixed.filter { $0.bitrate > 0 && $0.bitrate.isFinite && $0.psnr.isFinite }
        let rates = usable.map(\.bitrate) + rungs.map { Double($0.maxrate) } + fixedUsable.map(\.bitrate)
        let qualities = usable.map(\.psnr) + rungs.map(\.expectedPSNR).filter(\.isFinite) + fixedUsable.map(\.psnr)
        guard let lowRate = rates.min(), let highRate = rates.max(), let lowQ = qualities.min(), let highQ = qualities.max() else {
            var plot = SVGPlot(x: 0...1, y: 0...1, yTitle: Self.yTitle, height: 320)
            plot.xTitle = Self.xTitle
            plot.xLabels = []
            plot.note("no probe encodes to plot")
            return plot.svg(label: "rate-quality of the probe encodes")
        }
        // In log₁₀(kbit/s), with a little room either side.
        let x = (log10(lowRate / 1000) - 0.08)...(log10(highRate / 1000) + 0.08)
        var plot = SVGPlot(x: x, y: (lowQ - 1).rounded(.down)...(highQ + 1).rounded(.up), yTitle: Self.yTitle, height: 320)
        plot.xTitle = Self.xTitle
        plot.xLabels = AxisTicks.logValues(in: pow(10, x.lowerBound)...pow(10, x.upperBound)).map { (log10($0), ReportFormat.number($0, digits: 0)) }
        let at = { (rate: Double, psnr: Double) in (x: log10(rate / 1000), y: psnr) }
        let colour = Dictionary(uniqueKeysWithValues: heights.enumerated().map { ($0.element, $0.offset % Self.palette.count) })

        for p in usable {
            plot.dot(at: at(p.bitrate, p.psnr), class: "ladder-res-\(colour[p.height] ?? 0)",
                     title: "\(p.width)x\(p.height) crf \(ReportFormat.number(p.crf, digits: 1)): \(Self.kbps(p.bitrate)), \(ReportFormat.number(p.psnr, digits: 2)) dB",
                     radius: 2.5)
        }
        plot.line(RateQualityHull(points).points.map { at($0.bitrate, $0.psnr) }, class: "ladder-hull")
        let fixedSorted = fixedUsable.sorted { $0.bitrate < $1.bitrate }
        plot.line(fixedSorted.map { at($0.bitrate, $0.psnr) }, class: "ladder-fixed-line")
        for f in fixedSorted {
            plot.dot(at: at(f.bitrate, f.psnr), class: "ladder-fixed",
                     title: "\(fixedTitle) \(f.label): \(Self.kbps(f.bitrate)), \(ReportFormat.number(f.psnr, digits: 2)) dB", radius: 5)
        }
        for r in rungs where r.expectedPSNR.isFinite {
            let point = at(Double(r.maxrate), r.expectedPSNR)
            plot.dot(at: point, class: "ladder-rung",
                     title: "rung \(r.width)x\(r.height) crf \(ReportFormat.number(r.crf, digits: 1)), cap \(Self.kbps(Double(r.maxrate))), expected \(ReportFormat.number(r.expectedPSNR, digits: 2)) dB",
                     radius: 6)
            plot.text("\(r.height)p", at: point, dy: -10)
        }
        return plot.svg(label: "rate-quality of the probe encodes, their convex hull and the chosen ladder")
    }

    static func kbps(_ bitsPerSecond: Double) -> String { "\(ReportFormat.number(bitsPerSecond / 1000, digits: 0)) kbit/s" }
}
