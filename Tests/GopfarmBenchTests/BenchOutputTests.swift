import Foundation
import GopfarmBench
import GopfarmCoordinator
import Testing

@Suite("Bench table, CSV, JSON and HTML")
struct BenchOutputTests {
    @Test func tableLinesLineUpWithTheHeader() {
        let result = BenchFixture.result()
        let header = BenchTable.header
        #expect(header.hasSuffix("PSNR       size") && header.contains("bytes on links"))
        for row in result.sizes {
            let line = BenchTable.row(row)
            #expect(line.count == header.count, "\(line)")
        }
        #expect(BenchTable.row(result.sizes[2]) == "   4     12.00 s     3.50×        0.87         1.00    0.54 s        1.00 s          6.0 MB   41.50 dB     2.0 MB")
        var lossless = result.sizes[0]
        lossless.lossless = true
        #expect(BenchTable.row(lossless).contains("lossless"))
        let footer = BenchTable.footer(result)
        #expect(footer.first == "speedup and efficiency relative to N=1")
        #expect(footer.last == BenchMode.local.caption)
    }

    @Test func csvHasOneLinePerSize() {
        let lines = BenchCSV.text(BenchFixture.result()).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("agents,runs,makespan_s,speedup,efficiency,utilization,split_s"))
        let cells = lines[3].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(cells.count == BenchCSV.header.count)
        #expect(Array(cells.prefix(5)) == ["4", "1", "12", "3.5", "0.875"])
        #expect(cells[BenchCSV.header.firstIndex(of: "bytes_on_links")!] == "6000000")
    }

    @Test func jsonRoundTrips() throws {
        let result = BenchFixture.result()
        let back = try BenchResult.decode(try result.json())
        #expect(back.sizes == result.sizes && back.runs == result.runs && back.amdahl == result.amdahl)
        #expect(back.mode == .local && back.caption == BenchMode.local.caption && back.date == result.date)
    }

    @Test func thePredictedCurveGoesBesideTheMeasuredOneAndPastIt() throws {
        var result = BenchFixture.result()
        #expect(!BenchReport(result).html().contains("predicted by gopfarm simulate"))
        let model = CostModel(secondsPerFrame: [0.1], sentBytesPerFrame: 1000, returnedBytesPerFrame: 100, serialSeconds: 1, extractBytesPerSecond: 1e9)
        result.prediction = BenchPrediction(model: model, rows: [1, 2, 4, 8, 16].map {
            BenchPrediction.Row(agents: $0, measured: nil, predicted: 40 / Double($0) + 1, utilization: 0.9)
        })
        let html = BenchReport(result).html()
        #expect(html.contains("predicted by gopfarm simulate") && html.contains("class=\"predicted\""))
        // The x axis reaches the predicted sizes past the measured ones.
        #expect(html.contains(">16<"))
        // bench.json keeps it.
        let decoded = try BenchResult.decode(try result.json())
        #expect(decoded.prediction?.rows.map(\.agents) == [1, 2, 4, 8, 16])
    }

    /// Written to the path in `GOPFARM_BENCH_SAMPLE` when set, for looking at.
    @Test func pageHasEveryPlot() throws {
        let html = BenchReport(BenchFixture.result()).html()
        if let path = ProcessInfo.processInfo.environment["GOPFARM_BENCH_SAMPLE"] {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }
        // Speedup, efficiency, where the time went, and one timeline per size.
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 + 3)
        for label in ["speedup against the number of agents", "parallel efficiency against the number of agents",
                      "where the makespan went at each size", "segments per agent over the job's wall time"] {
            #expect(html.contains("aria-label=\"\(label.htmlEscaped)\""), "\(label)")
        }
        #expect(html.contains("class=\"ideal\"") && html.contains("class=\"amdahl\"") && html.contains("class=\"measured\""))
        for part in ["part-split", "part-encode", "part-stitch", "part-analysis"] { #expect(html.contains("class=\"\(part)\""), "\(part)") }
        #expect(html.contains(AmdahlFit.formula.htmlEscaped))
        // The 4-agent timeline has a row per agent; every attempt is a bar.
        let last = html[try #require(html.range(of: "<h3>N = 4</h3>")).upperBound...]
        #expect(last.contains(">agent-4<") && last.components(separatedBy: "<rect class=\"bar ").count - 1 == 4)
        // Escaped, self-contained.
        #expect(html.contains("<title>gopfarm bench: &lt;film&gt;.mp4</title>") && !html.contains("<film>"))
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("<link"))
    }

    @Test func emptyResultStillRenders() {
        let empty = BenchResult(mode: .cluster, input: "x.mp4", inputSeconds: 1, plan: BenchPlan(agentCounts: [1], settings: BenchFixture.settings))
        let html = BenchReport(empty).html()
        #expect(html.contains("No size was measured") && !html.contains("<svg"))
        #expect(BenchCSV.text(empty) == BenchCSV.header.joined(separator: ",") + "\n")
    }
}
