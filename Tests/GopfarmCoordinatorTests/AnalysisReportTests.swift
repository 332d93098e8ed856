import Foundation
import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

@Suite("Analysis report")
struct AnalysisReportTests {
    /// The fixture's report with its thumbnails (and a contact sheet); written to the path in
    /// `GOPFARM_REPORT_SAMPLE` when set, for looking at (`bench/report-screenshot.sh`).
    @Test func showsEveryPart() throws {
        let analysis = try ReportFixture.analysis()
        var pictures: [String: Data] = [:]
        for scene in analysis.scenes { if let name = scene.thumbnail { pictures[name] = try ReportFixture.thumbnail(scene: scene.index) } }
        let sheet = try ContactSheet().render(analysis: analysis) { pictures[$0] }
        let report = AnalysisReport(title: "Report of <script>job</script>", analysis: analysis, thumbnail: { pictures[$0] }, contactSheet: sheet)
        let html = report.html()
        if let path = ProcessInfo.processInfo.environment["GOPFARM_REPORT_SAMPLE"] {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }

        for scene in analysis.scenes {
            #expect(html.contains(ReportFormat.timecode(scene.start)), "scene \(scene.index)'s start time")
            #expect(html.contains("frame \(scene.startFrame) ·"), "scene \(scene.index)'s start frame")
        }
        #expect(html.contains("00:00:10.400") && html.contains("00:00:50.000"))
        // Luma, motion, score, PSNR and the timeline.
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        let afterHeading = html[try #require(html.range(of: "<h3>Timeline</h3>")).upperBound...]
        let timelineSVG = afterHeading[..<(try #require(afterHeading.range(of: "</svg>")).lowerBound)]
        #expect(timelineSVG.contains(">agent-a<") && timelineSVG.contains(">agent-b<"))
        #expect(timelineSVG.components(separatedBy: "<rect class=\"bar ").count - 1 == analysis.segments.count)
        // Thumbnails and the sheet inline; scene 4 has none and says so.
        #expect(html.contains("data:image/jpeg;base64," + pictures[ReportFixture.thumbnailName(0)]!.base64EncodedString()))
        #expect(html.contains("data:image/jpeg;base64," + sheet!.base64EncodedString()))
        #expect(html.contains("no thumbnail"))
        // Text from the record is escaped, and the page needs nothing from outside.
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co.mov"))
        #expect(html.contains("<title>Report of &lt;script&gt;job&lt;/script&gt;</title>"))
        #expect(!html.contains("src=\"http") && !html.contains("<link") && !html.contains("url("))
        // Tables: segments with their quality, the lossless one, intervals and the transition.
        #expect(html.contains("<td class=\"num\">lossless</td>"))
        #expect(html.contains("<td>fade-out</td>"))
        #expect(html.contains("<h3>Black (2)</h3>") && html.contains("<h3>Frozen (1)</h3>"))
        #expect(html.contains("1 of 12 segments are lossless"))
        #expect(html.contains("h264 1920×1080 yuv420p · 25 fps"))
    }

    /// 500,000 frames (5.5 hours at 25 fps) still make a page of a few hundred kilobytes: the
    /// plots keep one min/max pair per pixel column.
    @Test func longSeriesIsDownsampled() throws {
        let analysis = try ReportFixture.analysis(frames: 500_000, segmentFrames: 10_000)
        let html = AnalysisReport(title: "long", analysis: analysis, thumbnail: { _ in nil }).html()
        #expect(html.utf8.count < 2_000_000, "the page is \(html.utf8.count) bytes")
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("time (h:mm:ss)"))
    }

    /// A record with nothing but its counts: no scenes, series, segments, thumbnails or source.
    @Test func emptyRecordStillRenders() throws {
        let empty = JobAnalysis(settings: AnalysisSettings(), frames: 0, duration: 0, scenes: [], transitions: [], black: [], frozen: [],
                                statistics: .init(lumaMean: 0, lumaMin: 0, lumaMax: 0, colourfulness: 0, motion: 0, sharpness: 0), segments: [])
        let html = AnalysisReport(title: "empty", analysis: empty, thumbnail: { _ in nil }).html()
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.contains("No scenes in this record."))
        #expect(html.contains("No per-frame series"))
        #expect(html.contains("No segments in this record"))
        #expect(html.contains("no per-frame scores and no cuts"))
        #expect(!html.contains("nan") && !html.contains("inf"))
    }

    /// Without a series the cuts still show, at their scores; without a source the series is
    /// spaced evenly over the duration; without any thumbnail there is no strip, only the table.
    @Test func partsMissing() throws {
        var analysis = try ReportFixture.analysis(withSource: false)
        let withSeries = AnalysisReport(title: "no source", analysis: analysis, thumbnail: { _ in nil }).html()
        #expect(withSeries.components(separatedBy: "<svg").count - 1 == 5)
        #expect(withSeries.contains("No scene thumbnails came with this record.") && !withSeries.contains("<figure"))
        #expect(!withSeries.contains("Input"))
        analysis.series = nil
        for i in analysis.segments.indices { (analysis.segments[i].startedAt, analysis.segments[i].finishedAt) = (nil, nil) }
        let html = AnalysisReport(title: "compact", analysis: analysis, thumbnail: { _ in nil }).html()
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)  // score (cuts only) and PSNR
        #expect(html.components(separatedBy: "class=\"cut-dot\"").count - 1 == analysis.scenes.filter { $0.kind == .cut }.count)
        #expect(html.contains("No segment timings in this record"))
    }

    /// A record whose columns disagree in length (an agent's bug) still renders.
    @Test func inconsistentSeries() throws {
        var analysis = try ReportFixture.analysis()
        analysis.series!.pts.removeLast(100)
        analysis.series!.motion.removeLast(10)
        #expect(!analysis.series!.isConsistent)
        let html = AnalysisReport(title: "ragged", analysis: analysis, thumbnail: { _ in nil }).html()
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
    }

    /// The strip inlines at most `maxThumbnails` pictures, spread from the first scene to the last.
    @Test func stripIsBounded() throws {
        let analysis = try ReportFixture.analysis()
        var asked: [String] = []
        let report = AnalysisReport(title: "few", analysis: analysis, thumbnail: { asked.append($0); return Data([0xFF, 0xD8]) }, maxThumbnails: 3)
        #expect(report.stripScenes == [0, 3, 6])
        #expect(asked == [0, 3, 6].map(ReportFixture.thumbnailName))
        #expect(report.html().contains("Showing 3 of 7 scenes"))
    }

    @Test func envelopeKeepsSpikes() {
        let values = (0..<100_000).map { $0 == 54_321 ? 200.0 : 1.0 }
        let e = ColumnEnvelope(count: values.count, time: { Double($0) }, value: { values[$0] }, xRange: 0...100_000, width: 1000)
        #expect(e.columns.count == 1000)
        #expect(e.maximum == 200)
        #expect(e.columns.filter { $0.high == 200 }.map(\.x) == [543])
    }

    @Test func formatting() {
        #expect(ReportFormat.timecode(3723.4567) == "01:02:03.457")
        #expect(ReportFormat.timecode(0) == "00:00:00.000")
        #expect(ReportFormat.count(1_234_567) == "1,234,567")
        #expect(ReportFormat.number(.infinity, digits: 2) == "∞")
        #expect("a<b & \"c\" 'd'>".htmlEscaped == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;")
        #expect(EvenSpread.indices(count: 10, limit: 4) == [0, 3, 6, 9])
        #expect(EvenSpread.indices(count: 3, limit: 10) == [0, 1, 2])
        #expect(AxisTicks.values(in: 0...255, about: 5) == [0, 50, 100, 150, 200, 250])
        #expect(AxisTicks.times(in: 0...3600, about: 12) == stride(from: 0.0, through: 3600, by: 300).map { $0 })
        // Ticks are multiples of the step, labelled with the digits they need (0.60 was drawn:
        // 0.2 added three times is 0.6000000000000001).
        let labels = AxisTicks.times(in: 0...1.7, about: 8).map { ReportFormat.axisTime($0, clock: false) }
        #expect(labels == ["0", "0.2", "0.4", "0.6", "0.8", "1", "1.2", "1.4", "1.6"], "\(labels)")
    }
}
