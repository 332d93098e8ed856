import GopfarmCommon
extension AnalysisReport {
    /// The scene strip (thumbnails with where each scene starts), the contact sheet, and the
    /// table of every scene.
    func scenesSection() -> String {
        let scenes = analysis.scenes
        var out = "<h2>Scenes</h2>\n"
        guard !scenes.isEmpty else { return out + "<p class=\"note\">No scenes in this record.</p>\n" }
        if thumbnails.isEmpty {
            out += "<p class=\"note\">No scene thumbnails came with this record.</p>\n"
        } else {
            if stripScenes.count < scenes.count {
                out += "<p class=\"note\">Showing \(stripScenes.count) of \(ReportFormat.count(scenes.count)) scenes, spread evenly; every scene is in the table below.</p>\n"
            }
            out += "<div class=\"scenes\">"
            for i in stripScenes { out += card(scenes[i]) }
            out += "</div>\n"
        }
        if let sheet = contactSheet, !sheet.isEmpty {
            out += "<h3>Contact sheet</h3><img class=\"sheet\" alt=\"contact sheet of the scenes\" src=\"\(Self.dataURI(jpeg: sheet))\">\n"
        }
        out += "<h3>All scenes</h3>\n"
        var table = HTMLTable([.init("#"), .init("Start"), .init("Start frame"), .init("End frame"), .init("Frames"),
                               .init("Length (s)"), .init("Begins with", numeric: false), .init("Score")])
        for s in scenes {
            table.append(["\(s.index)", ReportFormat.timecode(s.start), "\(s.startFrame)", "\(s.endFrame)", "\(s.endFrame - s.startFrame)",
                          ReportFormat.number(s.end - s.start, digits: 3), Self.kindName(s.kind), ReportFormat.number(s.score, digits: 1)])
        }
        return out + table.html() + "\n"
    }

    private func card(_ s: JobAnalysis.Scene) -> String {
        var out = "<figure class=\"scene\">"
        if let name = s.thumbnail, let jpeg = thumbnails[name] {
            out += "<img alt=\"scene \(s.index)\" src=\"\(Self.dataURI(jpeg: jpeg))\">"
        } else {
            out += "<div class=\"missing\">no thumbnail</div>"
        }
        out += "<figcaption><b>#\(s.index)</b> \(ReportFormat.timecode(s.start).htmlEscaped) "
        out += "<span class=\"kind kind-\(s.kind.rawValue)\">\(Self.kindName(s.kind).htmlEscaped)</span><br>"
        out += "frame \(s.startFrame) · \(ReportFormat.number(s.end - s.start, digits: 2)) s · \(ReportFormat.count(s.endFrame - s.startFrame)) frames"
        if let score = s.score { out += " · score \(ReportFormat.number(score, digits: 1))" }
        return out + "</figcaption></figure>"
    }

    static func kindName(_ kind: JobAnalysis.Scene.Start) -> String {
        switch kind {
        case .start: "start"
        case .cut: "cut"
        case .transition: "transition"
        }
    }
}
