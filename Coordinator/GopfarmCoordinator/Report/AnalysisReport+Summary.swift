import GopfarmCommon

extension AnalysisReport {
    /// The title, the input, and the numbers a reader looks for first.
    func summarySection() -> String {
        let a = analysis
        var out = "<header><h1>\(title.htmlEscaped)</h1>"
        if let path = a.source?.path { out += "<p class=\"subtitle\">\(path.htmlEscaped)</p>" }
        out += "</header>\n<dl class=\"summary\">"
        var items: [(String, String, Bool)] = [
            ("Input", a.source?.path ?? "—", true),
            ("Duration", "\(ReportFormat.timecode(a.duration)) (\(ReportFormat.number(a.duration, digits: 3)) s)", false),
            ("Frames", ReportFormat.count(a.frames), false),
            ("Scenes", ReportFormat.count(a.scenes.count), false),
            ("Transitions", ReportFormat.count(a.transitions.count), false),
            ("Black", Self.intervalsSummary(a.black), false),
            ("Frozen", Self.intervalsSummary(a.frozen), false),
        ]
        if let source = a.source { items.append(("Source", Self.describe(source), true)) }
        if let output = a.output {
            items.append(("Output", output.path, true))
            items.append(("Output video", Self.describe(output), true))
        }
        if !a.segments.isEmpty {
            items.append(("Segments", ReportFormat.count(a.segments.count), false))
            items.append(("Agents", ReportFormat.count(Set(a.segments.map(\.agent)).count), false))
            items.append(("Encoded", ReportFormat.bytes(Int64(a.segments.reduce(0) { $0 + $1.bytes })), false))
            if let wall = a.segments.compactMap(\.finishedAt).max() { items.append(("Wall time", "\(ReportFormat.number(wall, digits: 1)) s", false)) }
        }
        let s = a.statistics
        items += [
            ("Luma mean", ReportFormat.number(s.lumaMean, digits: 1), false),
            ("Luma range", "\(s.lumaMin)–\(s.lumaMax)", false),
            ("Colourfulness", ReportFormat.number(s.colourfulness, digits: 1), false),
            ("Motion", ReportFormat.number(s.motion, digits: 2), false),
            ("Sharpness", ReportFormat.number(s.sharpness, digits: 1), false),
        ]
        for (term, value, wide) in items {
            out += "<div\(wide ? " class=\"wide\"" : "")><dt>\(term.htmlEscaped)</dt><dd>\(value.htmlEscaped)</dd></div>"
        }
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

    /// "h264 1920×1080 yuv420p · 25 fps · mp4 · 12.3 MB"
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
        parts.append(info.container)
        if info.sizeBytes > 0 { parts.append(ReportFormat.bytes(info.sizeBytes)) }
        return parts.joined(separator: " · ")
    }
}
