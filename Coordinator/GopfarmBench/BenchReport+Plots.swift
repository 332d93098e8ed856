import GopfarmCoordinator
import GopfarmCommon

extension BenchReport {
    /// The sizes' x axis: linear in N from 0, ticks at the measured sizes.
    private var sizeAxis: (range: ClosedRange<Double>, labels: [(value: Double, text: String)]) {
        let sizes = result.sizes.map(\.agents)
        let top = Double(max(sizes.max() ?? 1, result.prediction?.rows.map(\.agents).max() ?? 1))
        let ticks = Set(sizes + (result.prediction?.rows.map(\.agents) ?? [])).sorted()
        return (0...(top * 1.04 + 0.2), ticks.map { (Double($0), "\($0)") })
    }

    /// Speedup against N: measured, ideal (N / N₀) and Amdahl's curve with the measured serial fraction.
    func speedupPlot() -> String {
        let sizes = result.sizes
        let n0 = Double(result.baseline ?? 1)
        let axis = sizeAxis
        let measuredTop = sizes.map(\.speedup).max() ?? 1
        var plot = SVGPlot(x: axis.range, y: 0...(max(axis.range.upperBound / n0, measuredTop) * 1.08), yTitle: "speedup", height: 300)
        plot.xLabels = axis.labels
        plot.xTitle = "agents (N)"
        plot.line([(0, 0), (axis.range.upperBound, axis.range.upperBound / n0)], class: "ideal")
        var keys: [(cls: String, text: String)] = [("measured", "measured (median)"), ("ideal", "ideal: N / \(Int(n0))")]
        if let fit = result.amdahl {
            plot.line(curve(from: axis.range.upperBound / 200, to: axis.range.upperBound) { fit.speedup(agents: $0) }, class: "amdahl")
            keys.append(("amdahl", "Amdahl, serial fraction \(ReportFormat.number(fit.serialFraction, digits: 3))"))
        }
        if let prediction = result.prediction, let base = sizes.first?.makespan, base > 0 {
            plot.line(prediction.rows.map { (Double($0.agents), base / $0.predicted) }, class: "predicted")
            keys.append(("predicted", "predicted by gopfarm simulate"))
        }
        plot.line(sizes.map { (Double($0.agents), $0.speedup) }, class: "measured")
        for s in sizes {
            plot.dot(at: (Double(s.agents), s.speedup), class: "measured-dot",
                     title: "N=\(s.agents): speedup \(ReportFormat.number(s.speedup, digits: 2))×, makespan \(ReportFormat.number(s.makespan, digits: 2)) s")
            plot.text(ReportFormat.number(s.speedup, digits: 2) + "×", at: (Double(s.agents), s.speedup), dy: -9)
        }
        return "<h3>Speedup against N</h3>" + Self.legend(keys) + plot.svg(label: "speedup against the number of agents")
            + "<p class=\"note\">Relative to N=\(Int(n0)). Amdahl: \(AmdahlFit.formula.htmlEscaped).</p>\n"
    }

    /// Efficiency against N, with the ideal (1) and what Amdahl's model allows.
    func efficiencyPlot() -> String {
        let sizes = result.sizes
        let n0 = Double(result.baseline ?? 1)
        let axis = sizeAxis
        var plot = SVGPlot(x: axis.range, y: 0...max(1.1, (sizes.map(\.efficiency).max() ?? 1) * 1.08), yTitle: "efficiency", height: 260)
        plot.xLabels = axis.labels
        plot.xTitle = "agents (N)"
        plot.line([(0, 1), (axis.range.upperBound, 1)], class: "ideal")
        var keys: [(cls: String, text: String)] = [("measured", "measured (median)"), ("ideal", "ideal: 1")]
        if let fit = result.amdahl {
            plot.line(curve(from: n0, to: axis.range.upperBound) { fit.speedup(agents: $0) * n0 / $0 }, class: "amdahl")
            keys.append(("amdahl", "Amdahl's bound"))
        }
        plot.line(sizes.map { (Double($0.agents), $0.efficiency) }, class: "measured")
        for s in sizes {
            plot.dot(at: (Double(s.agents), s.efficiency), class: "measured-dot",
                     title: "N=\(s.agents): efficiency \(ReportFormat.number(s.efficiency, digits: 3))")
            plot.text(ReportFormat.number(s.efficiency, digits: 2), at: (Double(s.agents), s.efficiency), dy: -9)
        }
        return "<h3>Efficiency against N</h3>" + Self.legend(keys) + plot.svg(label: "parallel efficiency against the number of agents")
            + "<p class=\"note\">Efficiency = speedup × \(Int(n0)) / N.</p>\n"
    }

    /// A stacked bar per size: split, encode, stitch+audio, analysis and the rest of the makespan.
    func phasePlot() -> String {
        let sizes = result.sizes
        let top = max(sizes.map(\.makespan).max() ?? 1, 0.001) * 1.12
        var plot = SVGPlot(x: -0.5...(Double(sizes.count) - 0.5), y: 0...top, yTitle: "seconds", height: 300)
        plot.xLabels = sizes.enumerated().map { (Double($0.offset), "N=\($0.element.agents)") }
        plot.xTitle = "agents"
        let parts: [(cls: String, name: String, value: (BenchSize) -> Double)] = [
            ("part-split", "split", \.split), ("part-encode", "dispatch/encode", \.encode), ("part-stitch", "stitch+audio", \.stitch),
            ("part-analysis", "analysis", \.analysis), ("part-other", "other", \.other),
        ]
        let halfWidth = min(0.3, 0.5 - 0.5 / Double(sizes.count + 1))
        for (i, s) in sizes.enumerated() {
            var low = 0.0
            for part in parts {
                let v = part.value(s)
                guard v > 0 else { continue }
                let high = low + v
                let tall = plot.py(low) - plot.py(high) >= 16
                plot.bar(from: Double(i) - halfWidth, to: Double(i) + halfWidth, low: low, high: high, class: part.cls,
                         label: tall ? ReportFormat.number(v, digits: v >= 10 ? 1 : 2) : "",
                         title: "N=\(s.agents): \(part.name) \(ReportFormat.number(v, digits: 3)) s of \(ReportFormat.number(s.makespan, digits: 3)) s")
                low = high
            }
            plot.text("\(ReportFormat.number(s.makespan, digits: 2)) s", at: (Double(i), max(low, s.makespan)))
        }
        return Self.legend(parts.map { ($0.cls, $0.name) }) + plot.svg(label: "where the makespan went at each size")
            + "<p class=\"note\">Medians per size. Split is probe + plan + the coordinator's extraction of each segment, which runs "
            + "during dispatch; dispatch/encode is the rest of the dispatch, first assignment to last acceptance; other is what "
            + "remains of the makespan (queueing, store writes between phases).</p>\n"
    }

    /// One Gantt chart per size (its median job), all on the same time scale.
    func timelineSection() -> String {
        var out = "<h2>Timelines</h2>\n"
        let shown = result.sizes.map { (size: $0, run: result.runs[$0.representativeRun]) }
        let end = shown.map { max($0.run.figures.makespan, $0.run.job.timings.attempts.compactMap(\.ended).max() ?? 0) }.max() ?? 1
        out += Self.legend([("bar-even", "segment: the agent's work"), ("bar-wait", "assigned, waiting on the agent (prefetch, transfer)"),
                            ("bar-lost", "superseded copy (a faster one won)"), ("bar-moved", "prefetched, moved to an idle agent"),
                            ("bar-failed", "failed or requeued attempt"),
                            ("phase-split", "probe + plan"),
                            ("phase-stitch", "stitch+audio"), ("phase-analysis", "analysis")])
        out += "<p class=\"note\">Which agent encoded which segment when: one row per agent, one bar per attempt, seconds since the "
            + "job's submission; a bar is the agent's own work on the segment, ending when its result was in. Every size on the same scale.</p>\n"
        for (size, run) in shown {
            let t = run.job.timings
            var chart = TimelineChart(bars: Self.timelineBars(t.attempts))
            chart.timeRange = 0...max(end, 0.001)
            chart.xTitle = "since submission"
            if let start = t.dispatchStart {
                chart.bands.append((0, start, "phase-split", "submission to the first assignment: probe + plan \(ReportFormat.number((t.probeSeconds ?? 0) + (t.planSeconds ?? 0), digits: 3)) s"))
            }
            if let done = t.dispatchEnd {
                let stitch = t.stitchSeconds ?? 0, analysis = t.analysisSeconds ?? 0
                chart.bands.append((done, done + stitch, "phase-stitch", "stitch+audio \(ReportFormat.number(stitch, digits: 3)) s"))
                chart.bands.append((done + stitch, done + stitch + analysis, "phase-analysis", "analysis \(ReportFormat.number(analysis, digits: 3)) s"))
            }
            out += "<h3>N = \(size.agents)</h3><p class=\"note\">Job \(run.job.id.htmlEscaped)"
            if result.plan.repeats > 1 { out += ", run \(run.round) of \(size.runs) (the one closest to the median)" }
            out += ": makespan \(ReportFormat.number(run.figures.makespan, digits: 2)) s, \(run.figures.segments) segments, "
            out += "\(run.figures.attempts) attempts, utilization \(ReportFormat.number(run.figures.utilization, digits: 2)).</p>"
            out += chart.svg() ?? "<p class=\"note\">No segment attempts recorded for this job: no timeline.</p>"
            out += "\n"
        }
        return out
    }

    /// Each attempt as the agent's work (`BenchFigures.work`, ending when the result was in),
    /// after a light bar for the time it waited on the agent (prefetched, or in transfer) since
    /// its assignment; waits first, so work drawn over them shows each row's real occupation.
    static func timelineBars(_ attempts: [SegmentAttemptTiming]) -> [TimelineChart.Bar] {
        var waits: [TimelineChart.Bar] = [], work: [TimelineChart.Bar] = []
        for (a, span) in zip(attempts, BenchFigures.work(attempts)) {
            guard let ended = a.ended else { continue }
            var title = "segment \(a.segment), attempt \(a.attempt) on \(a.agent)"
            if a.speculative { title += " (speculative)" }
            if let outcome = a.outcome { title += ", \(outcome)" }
            title += ": assigned at \(ReportFormat.number(a.assigned, digits: 2)) s, ended at \(ReportFormat.number(ended, digits: 2)) s"
            if let agent = a.agentSeconds { title += "; the agent worked \(ReportFormat.number(agent, digits: 2)) s" }
            title += "; extract \(ReportFormat.number(a.extractSeconds, digits: 3)) s, sent \(ReportFormat.bytes(Int64(a.sentBytes)))"
            if let back = a.returnedBytes { title += ", returned \(ReportFormat.bytes(Int64(back)))" }
            let cls: String?
            switch a.outcome {
            case "superseded"?: cls = "bar bar-lost"
            case "moved"?: cls = "bar bar-moved"
            case "failed"?, "requeued"?: cls = "bar bar-failed"
            default: cls = nil
            }
            let workStart = span?.lowerBound ?? a.assigned
            if workStart - a.assigned > 0.01 || a.outcome == "moved" {
                waits.append(TimelineChart.Bar(index: a.segment, agent: a.agent, start: a.assigned, end: a.outcome == "moved" ? ended : workStart,
                                               cls: a.outcome == "moved" ? cls : "bar bar-wait", title: title, label: ""))
            }
            if a.outcome != "moved" {
                work.append(TimelineChart.Bar(index: a.segment, agent: a.agent, start: workStart, end: ended, cls: cls, title: title))
            }
        }
        return waits + work
    }

    /// Points of `f` over `from…to`, dense enough for a smooth path.
    private func curve(from: Double, to: Double, _ f: (Double) -> Double) -> [(x: Double, y: Double)] {
        guard to > from else { return [] }
        return (0...120).map { i in
            let x = from + (to - from) * Double(i) / 120
            return (x, f(x))
        }.filter { $0.y.isFinite }
    }
}
