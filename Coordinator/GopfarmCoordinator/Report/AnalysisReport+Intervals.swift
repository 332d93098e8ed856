import GopfarmCommon
extension AnalysisReport {
    /// Black and frozen stretches and gradual transitions, each in its own table.
    func intervalsSection() -> String {
        var out = "<h2>Black, frozen and transitions</h2>\n"
        out += "<h3>Black (\(analysis.black.count))</h3>\n" + intervalTable(analysis.black, empty: "No black stretches.")
        out += "<h3>Frozen (\(analysis.frozen.count))</h3>\n" + intervalTable(analysis.frozen, empty: "No frozen stretches.")
        out += "<h3>Transitions (\(analysis.transitions.count))</h3>\n"
        guard !analysis.transitions.isEmpty else { return out + "<p class=\"note\">No gradual transitions.</p>\n" }
        var table = HTMLTable([.init("Kind", numeric: false), .init("Start"), .init("End"), .init("Start frame"), .init("End frame"),
                               .init("Frames"), .init("Duration (s)")])
        for t in analysis.transitions {
            table.append([t.kind.rawValue, ReportFormat.timecode(t.start), ReportFormat.timecode(t.end), "\(t.startFrame)", "\(t.endFrame)",
                          "\(t.endFrame - t.startFrame)", ReportFormat.number(t.end - t.start, digits: 3)])
        }
        return out + table.html() + "\n"
    }

    private func intervalTable(_ intervals: [JobAnalysis.Interval], empty: String) -> String {
        guard !intervals.isEmpty else { return "<p class=\"note\">\(empty.htmlEscaped)</p>\n" }
        var table = HTMLTable([.init("#"), .init("Start"), .init("End"), .init("Start frame"), .init("End frame"), .init("Frames"), .init("Duration (s)")])
        for (i, v) in intervals.enumerated() {
            table.append(["\(i)", ReportFormat.timecode(v.start), ReportFormat.timecode(v.end), "\(v.startFrame)", "\(v.endFrame)",
                          "\(v.endFrame - v.startFrame)", ReportFormat.number(v.duration, digits: 3)])
        }
        return table.html() + "\n"
    }
}
