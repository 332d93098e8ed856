extension AnalysisReport {
    /// Who encoded what and when: the timeline and the table of segments.
    func farmSection() -> String {
        var out = "<h2>Segments</h2>\n"
        let segments = analysis.segments.sorted { $0.index < $1.index }
        guard !segments.isEmpty else { return out + "<p class=\"note\">No segments in this record: the job only analyzed its input.</p>\n" }
        let chart = TimelineChart(segments: segments)
        if let svg = chart.svg() {
            let agents = chart.agents.count
            out += "<h3>Timeline</h3><p class=\"note\">One row per agent (\(agents)), one bar per segment from its lease to its result.</p>" + svg
            let unplaced = segments.count - chart.placed.count
            if unplaced > 0 { out += "<p class=\"note\">\(unplaced) segments have no timings and are not on the timeline.</p>" }
        } else {
            out += "<p class=\"note\">No segment timings in this record: no timeline.</p>"
        }
        out += "\n<h3>All segments</h3>\n"
        var table = HTMLTable([.init("#"), .init("Start"), .init("Frames"), .init("Agent", numeric: false), .init("Bytes"),
                               .init("Decode (s)"), .init("Encode (s)"), .init("Analysis (s)"),
                               .init("PSNR Y"), .init("PSNR U"), .init("PSNR V"), .init("PSNR all"), .init("SSIM Y")])
        for s in segments {
            let psnr: [String] = s.lossless ? Array(repeating: "lossless", count: 4)
                : [s.psnrY, s.psnrU, s.psnrV, s.psnrAll].map { ReportFormat.number($0, digits: 2) }
            table.append(["\(s.index)", ReportFormat.timecode(s.start), ReportFormat.count(s.frames), s.agent, ReportFormat.count(s.bytes),
                          ReportFormat.number(s.decodeSeconds, digits: 2), ReportFormat.number(s.encodeSeconds, digits: 2),
                          ReportFormat.number(s.analysisSeconds, digits: 2)] + psnr + [ReportFormat.number(s.ssimY, digits: 4)])
        }
        return out + table.html() + "\n"
    }
}
