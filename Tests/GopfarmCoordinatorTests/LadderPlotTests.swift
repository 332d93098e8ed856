import Foundation
@testable import GopfarmCoordinator
import Testing

@Suite("Ladder plot")
struct LadderPlotTests {
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func drawsProbeHullRungsAndFixedLadder() throws {
        let grid = try ProbeGrid(sourceWidth: 1920, sourceHeight: 1080)
        let points = SyntheticTitle.animation.points(grid)
        let rungs = LadderChooser().choose(points: points)
        let fixed: [(bitrate: Double, psnr: Double, label: String)] = [(6e6, 44, "1080p"), (3e6, 42, "720p"), (1.2e6, 39, "480p"), (7e5, 36, "360p")]
        let plot = LadderPlot(points: points, rungs: rungs, fixed: fixed)
        let svg = plot.svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains(LadderPlot.xTitle) && svg.contains(LadderPlot.yTitle))
        // One small mark per probe encode, coloured by resolution; one large one per rung and fixed rung.
        for (i, height) in grid.resolutions.map(\.height).enumerated() {
            let n = Self.count("class=\"ladder-res-\(i)\"", in: svg)
            #expect(n == points.filter { $0.height == height }.count, "\(height)p: \(n) marks")
        }
        #expect(Self.count("class=\"ladder-rung\"", in: svg) == rungs.count)
        #expect(Self.count("class=\"ladder-fixed\"", in: svg) == fixed.count)
        #expect(Self.count("class=\"ladder-hull\"", in: svg) == 1 && Self.count("class=\"ladder-fixed-line\"", in: svg) == 1)
        for r in rungs { #expect(svg.contains(">\(r.height)p</text>")) }
        // Round rates label the log axis.
        #expect(svg.contains(">1000</text>") && svg.contains(">2000</text>"))
        let html = plot.html()
        #expect(html.contains("probe 1080p") && html.contains("chosen rungs") && html.contains("fixed ladder"))
        for i in grid.resolutions.indices { #expect(LadderPlot.css.contains(".ladder-res-\(i){")) }
    }

    @Test func anEmptyProbeSaysSo() {
        let svg = LadderPlot(points: [], rungs: []).svg()
        #expect(svg.contains("no probe encodes to plot") && svg.contains(LadderPlot.xTitle))
    }

    @Test func logTicksAreRoundRates() {
        #expect(AxisTicks.logValues(in: 150...12_000) == [200, 500, 1000, 2000, 5000, 10_000])
        #expect(AxisTicks.logValues(in: 300...900) == [300, 400, 500, 600, 700, 800, 900])
        #expect(AxisTicks.logValues(in: 0...10).isEmpty)
    }
}
