import GopfarmCommon

extension AnalysisReport {
    /// The title, the input, and the numbers a reader looks for first.
    func summarySection() -> String {
        let a = analysis
        var out = "<header><h1>\(title.htmlEscaped)</h1></header>\n<dl class=\"summary\">"
        var items: [SummaryItem] = []
        if let source = a.source { items.append(SummaryItem("Input", source.path, detail: Self.describe(source), wide: true)) }
        if let output = a.output { items.append(SummaryItem("Output", output.path, detail: Self.describe(output), wide: true)) }
        items += [
            SummaryItem("Duration", ReportFormat.timecode(a.duration), detail: "\(ReportFormat.number(a.duration, digits: 3)) s"),
            SummaryItem("Frames", ReportFormat.count(a.frames)),
            SummaryItem("Scenes", ReportFormat.count(a.scenes.count)),
            SummaryItem("Transitions", ReportFormat.count(a.transitions.count)),
            SummaryItem("Black", Self.intervalsSummary(a.black)),
            SummaryItem("Frozen", Self.intervalsSummary(a.frozen)),
        ]
        if !a.segments.isEmpty {
            items.append(SummaryItem("Segments", ReportFormat.count(a.segments.count),
                                     detail: "on \(ReportFormat.count(Set(a.segments.map(\.agent)).count)) agents"))
            items.append(SummaryItem("Encoded", ReportFormat.bytes(Int64(a.segments.reduce(0) { $0 + $1.bytes }))))
            if let wall = a.segments.compactMap(\.finishedAt).max() { items.append(SummaryItem("Wall time", "\(ReportFormat.number(wall, digits: 1)) s")) }
        }
        let s = a.statistics
        items += [
            SummaryItem("Luma mean", ReportFormat.number(s.lumaMean, digits: 1), detail: "range \(s.lumaMin)–\(s.lumaMax)"),
            SummaryItem("Colourfulness", ReportFormat.number(s.colourfulness, digits: 1)),
            SummaryItem("Motion", ReportFormat.number(s.motion, digits: 2)),
            SummaryItem("Sharpness", ReportFormat.number(s.sharpness, digits: 1)),
        ]
        for item in items { out += item.html() }
        out += "</dl>\n"
        let st = a.settings
        out += "<p class=\"note\">Scene threshold \(ReportFormat.number(st.sceneThreshold, digits: 1)), minimum scene \(st.minSceneFrames) frames; "
        out += "black: pixels ≤ \(ReportFormat.number(st.blackPixelThreshold, digits: 2)), ≥ \(ReportFormat.number(st.blackPictureRatio * 100, digits: 0))% of the picture, "
        out += "≥ \(ReportFormat.number(st.blackMinSeconds, digits: 2)) s; frozen: noise ≤ \(ReportFormat.number(st.freezeNoise, digits: 4)), "
        out += "≥ \(ReportFormat.number(st.freezeMinSeconds, digits: 2)) s.</p>\n"
        return out
    }

    /// "3 · 4.20 s" — how many, and how long in all.
    static func intervalsSummary(_ intervals: [JobAnalysis.Interval]) -> String {
        intervals.isEmpty ? "none" : "\(ReportFormat.count(intervals.count)) · \(ReportFormat.number(intervals.reduce(0) { $0 + $1.duration }, digits: 2)) s"
    }

    /// "h264 1920×1080 yuv420p · 25 fps · audio aac · 12.3 MB"
    static func describe(_ info: MediaInfo) -> String {
        var parts: [String] = []
        if let v = info.streams.first(where: { $0.index == info.videoStream }) ?? info.streams.first(where: { $0.type == "video" }) {
            var codec = v.codec
            if let w = v.width, let h = v.height { codec += " \(w)×\(h)" }
            if let pf = v.pixelFormat { codec += " \(pf)" }
            parts.append(codec)
            if let rate = v.averageFrameRate ?? v.realFrameRate, rate.isValid {
                parts.append("\(ReportFormat.number(rate.doubleValue, digits: rate.doubleValue.rounded() == rate.doubleValue ? 0 : 3)) fps")
            }
        }
        if let audio = info.streams.first(where: { $0.type == "audio" }) { parts.append("audio \(audio.codec)") }
        if info.sizeBytes > 0 { parts.append(ReportFormat.bytes(info.sizeBytes)) }
        return parts.joined(separator: " · ")
    }
}

/// One cell of the summary grid: a term, its value, and an optional line under it.
private struct SummaryItem {
    let term: String
    let value: String
    let detail: String?
    let wide: Bool

    init(_ term: String, _ value: String, detail: String? = nil, wide: Bool = false) {
        self.term = term
        self.value = value
        self.detail = detail
        self.wide = wide
    }

    func html() -> String {
        var out = "<div\(wide ? " class=\"wide\"" : "")><dt>\(term.htmlEscaped)</dt><dd>\(value.htmlEscaped)"
        if let detail { out += "<span class=\"detail\">\(detail.htmlEscaped)</span>" }
        return out + "</dd></div>"
    }
}
