import GopfarmCommon

extension AnalysisReport {
    /// Luma, motion and content score per frame, and quality per segment, over one time axis.
    func plotsSection() -> String {
        var out = "<h2>Over time</h2>\n"
        if let series = analysis.series, series.count > 0 {
            let times = frameTimes(series)
            out += lumaPlot(series, times)
            out += motionPlot(series, times)
            out += scorePlot(series, times)
        } else {
            out += "<p class=\"note\">No per-frame series in this record (compact views of long jobs leave it out): "
                + "luma and motion cannot be plotted; cuts are shown with their scores.</p>\n"
            out += scorePlot(nil, [])
        }
        out += qualityPlot()
        return out
    }

    /// Seconds from the first frame for each entry of the series: from its pts in the source's
    /// video time base when the record has one, else evenly spaced over the duration. Columns
    /// longer than `pts` (an inconsistent record) are plotted only as far as it goes.
    func frameTimes(_ series: FrameSeries) -> [Double] {
        let n = series.count
        if let source = analysis.source,
           let tb = source.streams.first(where: { $0.index == source.videoStream })?.timeBase, tb.isValid,
           let first = series.pts.first {
            let scale = tb.doubleValue
            let times = series.pts.map { Double($0 &- first) * scale }
            // A time base that does not fit the pts would stretch the plot; fall back to spacing.
            if let last = times.last, last >= 0, last <= max(1, analysis.duration * 1.5) { return times }
        }
        let step = analysis.duration > 0 && analysis.frames > 0 ? analysis.duration / Double(analysis.frames) : 1.0 / 25
        return (0..<n).map { Double($0) * step }
    }

    private func lumaPlot(_ series: FrameSeries, _ times: [Double]) -> String {
        var plot = SVGPlot(x: timeRange, y: 0...255, yTitle: "luma")
        shadeIntervals(&plot)
        plot.envelope(ColumnEnvelope(count: min(series.lumaMean.count, times.count), time: { times[$0] }, value: { Double(series.lumaMean[$0]) },
                                     xRange: timeRange, width: plot.plotWidth), class: "luma")
        return "<h3>Luma mean per frame</h3>" + legend([("luma", "luma mean (0–255)")] + intervalLegend) + plot.svg(label: "luma mean per frame")
    }

    private func motionPlot(_ series: FrameSeries, _ times: [Double]) -> String {
        let envelope = ColumnEnvelope(count: min(series.motion.count, times.count), time: { times[$0] }, value: { series.motion[$0].map(Double.init) },
                                      xRange: timeRange, width: SVGPlot.plotWidth(left: SVGPlot.defaultLeft))
        var plot = SVGPlot(x: timeRange, y: 0...max(1, (envelope.maximum ?? 0) * 1.1), yTitle: "motion")
        shadeIntervals(&plot)
        plot.envelope(envelope, class: "motion")
        return "<h3>Motion per frame</h3>" + legend([("motion", "mean absolute luma change from the previous frame")] + intervalLegend)
            + plot.svg(label: "motion per frame")
    }

    /// The score per frame when there is a series; the cuts (at their scores) in any case.
    private func scorePlot(_ series: FrameSeries?, _ times: [Double]) -> String {
        let threshold = analysis.settings.sceneThreshold
        let cuts = analysis.scenes.filter { $0.kind == .cut }
        var envelope = ColumnEnvelope()
        if let series {
            envelope = ColumnEnvelope(count: min(series.score.count, times.count), time: { times[$0] }, value: { series.score[$0].map(Double.init) },
                                      xRange: timeRange, width: SVGPlot.plotWidth(left: SVGPlot.defaultLeft))
        }
        let top = max(threshold * 1.25, (envelope.maximum ?? 0) * 1.05, cuts.compactMap(\.score).max().map { $0 * 1.05 } ?? 0, 1)
        var plot = SVGPlot(x: timeRange, y: 0...min(255, top), yTitle: "content score")
        shadeIntervals(&plot)
        for t in analysis.transitions {
            plot.band(from: t.start, to: t.end, class: "transition",
                      title: "\(t.kind.rawValue) \(ReportFormat.timecode(t.start))–\(ReportFormat.timecode(t.end))")
        }
        plot.verticalLines(at: cuts.map(\.start), class: "cut")
        plot.envelope(envelope, class: "score")
        plot.horizontalLine(at: threshold, class: "threshold", label: "threshold \(ReportFormat.number(threshold, digits: 1))")
        if envelope.isEmpty {
            for c in cuts {
                guard let score = c.score else { continue }
                plot.dot(at: (c.start, score), class: "cut-dot", title: "cut at \(ReportFormat.timecode(c.start)), score \(ReportFormat.number(score, digits: 1))")
            }
            if cuts.isEmpty { plot.note("no per-frame scores and no cuts") }
        }
        var keys = [("cut", "cut"), ("threshold", "scene threshold")]
        if !envelope.isEmpty { keys.insert(("score", "content score (HSV change from the previous frame)"), at: 0) }
        if !analysis.transitions.isEmpty { keys.append(("transition", "gradual transition")) }
        return "<h3>Content score and cuts</h3>" + legend(keys + intervalLegend) + plot.svg(label: "content score per frame with cuts")
    }

    /// PSNR per segment as steps over the segment's span; lossless segments (no error to
    /// measure) are shaded and counted, segments without a measure are left out.
    private func qualityPlot() -> String {
        var out = "<h3>Quality per segment (PSNR)</h3>"
        let segments = analysis.segments.sorted { $0.start < $1.start }
        guard !segments.isEmpty else { return out + "<p class=\"note\">No segments in this record: nothing was encoded.</p>\n" }
        var spans: [(seg: JobAnalysis.Segment, from: Double, to: Double)] = []
        for (i, s) in segments.enumerated() {
            let end = i + 1 < segments.count ? segments[i + 1].start : max(timeRange.upperBound, s.start)
            spans.append((s, s.start, end))
        }
        let lossless = spans.filter(\.seg.lossless)
        func runs(_ value: (JobAnalysis.Segment) -> Double?) -> [(from: Double, to: Double, value: Double)] {
            spans.compactMap { span in
                guard !span.seg.lossless, let v = value(span.seg), v.isFinite else { return nil }
                return (span.from, span.to, v)
            }
        }
        let y = runs(\.psnrY), all = runs(\.psnrAll)
        let values = (y + all).map(\.value)
        if lossless.count > 0 {
            out += "<p class=\"note\">\(lossless.count) of \(segments.count) segments are lossless (frames identical to the source): "
                + "their PSNR is infinite and is shown as a shaded span.</p>"
        }
        guard !values.isEmpty || !lossless.isEmpty else {
            return out + "<p class=\"note\">Quality was not measured for this job.</p>\n"
        }
        let low = values.min().map { max(0, ($0 - 2).rounded(.down)) } ?? 0
        let high = values.max().map { ($0 + 2).rounded(.up) } ?? 60
        var plot = SVGPlot(x: timeRange, y: low...max(high, low + 1), yTitle: "PSNR (dB)")
        shadeIntervals(&plot)
        for span in lossless { plot.band(from: span.from, to: span.to, class: "lossless", title: "segment \(span.seg.index): lossless") }
        plot.steps(y, class: "psnr-y")
        plot.steps(all, class: "psnr-all")
        if values.isEmpty { plot.note("every measured segment is lossless") }
        var keys = [("psnr-y", "PSNR Y"), ("psnr-all", "PSNR all planes")]
        if !lossless.isEmpty { keys.append(("lossless", "lossless segment")) }
        return out + legend(keys + intervalLegend) + plot.svg(label: "PSNR per segment")
    }

    private var intervalLegend: [(String, String)] {
        var keys: [(String, String)] = []
        if !analysis.black.isEmpty { keys.append(("black", "black")) }
        if !analysis.frozen.isEmpty { keys.append(("frozen", "frozen")) }
        return keys
    }

    private func shadeIntervals(_ plot: inout SVGPlot) {
        for b in analysis.black {
            plot.band(from: b.start, to: b.end, class: "black", title: "black \(ReportFormat.timecode(b.start))–\(ReportFormat.timecode(b.end))")
        }
        for f in analysis.frozen {
            plot.band(from: f.start, to: f.end, class: "frozen", title: "frozen \(ReportFormat.timecode(f.start))–\(ReportFormat.timecode(f.end))")
        }
    }

    /// Swatches naming the classes a plot draws with.
    func legend(_ keys: [(cls: String, text: String)]) -> String {
        "<div class=\"legend\">" + keys.map { "<span><i class=\"sw \($0.cls)\"></i>\($0.text.htmlEscaped)</span>" }.joined() + "</div>"
    }
}
