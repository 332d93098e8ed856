import Foundation

/// One chart of the report as inline SVG: a time axis, a value axis, and marks given in value
/// coordinates (bands, envelopes, steps, lines, dots, bars). Colours come from the page's CSS
/// classes, so the SVG stays small and the look is set in one place (`ReportStyle`).
///
/// Public for other reports (`gopfarm bench`), which draw with the same marks and add their
/// own classes after `ReportStyle.css`.
public struct SVGPlot {
    public static let width = 1100.0
    public static let right = 16.0, top = 12.0, bottom = 40.0
    /// Room for the value axis' ticks and title.
    public static let defaultLeft = 60.0

    public let x: ClosedRange<Double>
    public let y: ClosedRange<Double>
    public let yTitle: String
    public let height: Double
    public let left: Double
    /// What the time axis counts from ("time": the first frame).
    public var xTitle = "time"
    /// Category labels for the value axis (a timeline's agents) instead of numeric ticks.
    public var yLabels: [(value: Double, text: String)]?
    /// Ticks of the horizontal axis at these values with these labels, for an axis that is not
    /// time (agents, cluster sizes); its title is then `xTitle` alone, with no unit added.
    public var xLabels: [(value: Double, text: String)]?
    private var marks: [String] = []

    public init(x: ClosedRange<Double>, y: ClosedRange<Double>, yTitle: String, height: Double = 220, left: Double = defaultLeft) {
        self.x = x.upperBound > x.lowerBound ? x : x.lowerBound...(x.lowerBound + 1)
        self.y = y.upperBound > y.lowerBound ? y : y.lowerBound...(y.lowerBound + 1)
        self.yTitle = yTitle
        self.height = height
        self.left = left
    }

    /// Pixel columns of the drawing area: the width to build a `ColumnEnvelope` for.
    public var plotWidth: Int { Self.plotWidth(left: left) }
    public static func plotWidth(left: Double) -> Int { Int(width - left - right) }
    private var plotHeight: Double { height - Self.top - Self.bottom }

    public func px(_ v: Double) -> Double {
        left + min(1, max(0, (v - x.lowerBound) / (x.upperBound - x.lowerBound))) * Double(plotWidth)
    }

    public func py(_ v: Double) -> Double {
        Self.top + (1 - min(1, max(0, (v - y.lowerBound) / (y.upperBound - y.lowerBound)))) * plotHeight
    }

    /// A shaded stretch of time over the whole height (black or frozen pictures, a transition).
    public mutating func band(from: Double, to: Double, class cls: String, title: String) {
        let x0 = px(from), x1 = max(px(to), x0 + 1)
        marks.append("<rect class=\"\(cls)\" x=\"\(f(x0))\" y=\"\(f(Self.top))\" width=\"\(f(x1 - x0))\" height=\"\(f(plotHeight))\">"
                     + "<title>\(title.htmlEscaped)</title></rect>")
    }

    /// A series reduced per pixel column, drawn as the band between its lows and highs (a line
    /// where they meet), built for `plotWidth` columns.
    mutating func envelope(_ e: ColumnEnvelope, class cls: String) {
        guard !e.isEmpty else { return }
        var d = "M"
        for c in e.columns { d += "\(f(left + Double(c.x) + 0.5)),\(f(py(c.high))) " }
        for c in e.columns.reversed() { d += "\(f(left + Double(c.x) + 0.5)),\(f(py(c.low))) " }
        marks.append("<path class=\"\(cls)\" d=\"\(d)Z\"/>")
    }

    /// One horizontal stroke per run (a value that holds over a segment).
    public mutating func steps(_ runs: [(from: Double, to: Double, value: Double)], class cls: String) {
        guard !runs.isEmpty else { return }
        let d = runs.map { "M\(f(px($0.from))),\(f(py($0.value)))H\(f(max(px($0.to), px($0.from) + 2)))" }.joined()
        marks.append("<path class=\"\(cls)\" d=\"\(d)\"/>")
    }

    /// A level across the whole plot (a threshold), labelled at its right end.
    public mutating func horizontalLine(at value: Double, class cls: String, label: String) {
        let yy = py(value)
        marks.append("<path class=\"\(cls)\" d=\"M\(f(left)),\(f(yy))H\(f(left + Double(plotWidth)))\"/>"
                     + "<text class=\"line-label\" x=\"\(f(left + Double(plotWidth) - 4))\" y=\"\(f(yy - 4))\" text-anchor=\"end\">\(label.htmlEscaped)</text>")
    }

    /// Instants marked over the whole height (cuts), as one path.
    public mutating func verticalLines(at xs: [Double], class cls: String) {
        guard !xs.isEmpty else { return }
        let d = xs.map { "M\(f(px($0))),\(f(Self.top))v\(f(plotHeight))" }.joined()
        marks.append("<path class=\"\(cls)\" d=\"\(d)\"/>")
    }

    /// A point with a tooltip; `radius` sets marks apart (a chosen point over measured ones).
    public mutating func dot(at point: (x: Double, y: Double), class cls: String, title: String, radius: Double = 3) {
        marks.append("<circle class=\"\(cls)\" cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"\(radius == 3 ? "3" : f(radius))\"><title>\(title.htmlEscaped)</title></circle>")
    }

    /// A bar from `from` to `to` between two values of the value axis, with a label inside when
    /// it fits and a tooltip always.
    public mutating func bar(from: Double, to: Double, low: Double, high: Double, class cls: String, label: String, title: String) {
        let x0 = px(from), x1 = max(px(to), x0 + 1), y0 = py(high), y1 = py(low)
        var mark = "<g><title>\(title.htmlEscaped)</title><rect class=\"\(cls)\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(x1 - x0))\" height=\"\(f(y1 - y0))\"/>"
        if x1 - x0 >= Double(label.count) * 7 + 4 {
            mark += "<text class=\"bar-label\" x=\"\(f((x0 + x1) / 2))\" y=\"\(f((y0 + y1) / 2 + 4))\" text-anchor=\"middle\">\(label.htmlEscaped)</text>"
        }
        marks.append(mark + "</g>")
    }

    /// A sentence in the middle of the drawing area (why a plot is empty).
    public mutating func note(_ text: String) {
        marks.append("<text class=\"plot-note\" x=\"\(f(left + Double(plotWidth) / 2))\" y=\"\(f(Self.top + plotHeight / 2))\" text-anchor=\"middle\">\(text.htmlEscaped)</text>")
    }

    /// A polyline through points given in value coordinates (a measured series, a model).
    public mutating func line(_ points: [(x: Double, y: Double)], class cls: String) {
        guard points.count > 1 else { return }
        let d = "M" + points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: "L")
        marks.append("<path class=\"\(cls)\" d=\"\(d)\"/>")
    }

    /// A short text at a point of the plot (a value over a bar or beside a dot).
    public mutating func text(_ text: String, at point: (x: Double, y: Double), dy: Double = -6, class cls: String = "value-label") {
        marks.append("<text class=\"\(cls)\" x=\"\(f(px(point.x)))\" y=\"\(f(py(point.y) + dy))\" text-anchor=\"middle\">\(text.htmlEscaped)</text>")
    }

    /// The chart; `label` is read by screen readers and shown nowhere else.
    public func svg(label: String) -> String {
        let bottomY = Self.top + plotHeight, rightX = left + Double(plotWidth)
        var out = "<svg class=\"plot\" viewBox=\"0 0 \(f(Self.width)) \(f(height))\" role=\"img\" aria-label=\"\(label.htmlEscaped)\">"
        let clock = xLabels == nil && AxisTicks.isClock(x)
        let xTicks: [(value: Double, text: String)] = xLabels
            ?? AxisTicks.times(in: x, about: 12).map { ($0, ReportFormat.axisTime($0, clock: clock)) }
        let yTicks: [(value: Double, text: String)] = yLabels ?? {
            let values = AxisTicks.values(in: y, about: 5)
            let digits = Self.decimals(of: values.count > 1 ? values[1] - values[0] : 1)
            return values.map { ($0, ReportFormat.number($0, digits: digits)) }
        }()
        out += "<g class=\"grid\"><path d=\""
        for t in xTicks { out += "M\(f(px(t.value))),\(f(Self.top))V\(f(bottomY))" }
        if yLabels == nil { for t in yTicks { out += "M\(f(left)),\(f(py(t.value)))H\(f(rightX))" } }
        out += "\"/></g>"
        out += marks.joined()
        out += "<rect class=\"frame\" x=\"\(f(left))\" y=\"\(f(Self.top))\" width=\"\(f(Double(plotWidth)))\" height=\"\(f(plotHeight))\"/>"
        out += "<g class=\"tick\">"
        for t in xTicks {
            out += "<text x=\"\(f(px(t.value)))\" y=\"\(f(bottomY + 15))\" text-anchor=\"middle\">\(t.text.htmlEscaped)</text>"
        }
        for t in yTicks {
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t.value) + 4))\" text-anchor=\"end\">\(t.text.htmlEscaped)</text>"
        }
        out += "</g>"
        out += "<text class=\"axis-title\" x=\"\(f(left + Double(plotWidth) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">"
            + "\(xTitle.htmlEscaped)\(xLabels == nil ? " (\(clock ? "h:mm:ss" : "s"))" : "")</text>"
        if yLabels == nil {
            out += "<text class=\"axis-title\" transform=\"translate(14,\(f(Self.top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(yTitle.htmlEscaped)</text>"
        }
        return out + "</svg>"
    }

    /// Decimals needed to print multiples of `step` exactly (0 for 5, 1 for 2.5, 2 for 0.25).
    private static func decimals(of step: Double) -> Int {
        for d in 0...4 {
            let scaled = step * pow(10, Double(d))
            if abs(scaled - scaled.rounded()) < 1e-6 { return d }
        }
        return 4
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
