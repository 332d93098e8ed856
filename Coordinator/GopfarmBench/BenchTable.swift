import GopfarmCoordinator

/// The table `gopfarm bench` prints, one line per size as soon as that size is measured: the
/// columns have fixed widths so a line can be printed before the next one is known.
public enum BenchTable {
    public static let titles = ["N", "makespan", "speedup", "efficiency", "utilization", "split", "stitch+audio",
                                "bytes on links", "PSNR", "size"]
    /// Widths wide enough for the values (a makespan of hours, terabytes) and the titles.
    static let widths = [4, 10, 8, 10, 11, 8, 12, 14, 9, 9]

    public static var header: String { line(titles) }

    /// The line of one size.
    public static func row(_ s: BenchSize) -> String {
        line(cells(s))
    }

    /// The lines under the table: what the ratios are relative to, and what the mode means.
    public static func footer(_ result: BenchResult) -> [String] {
        var lines: [String] = []
        if let n0 = result.baseline {
            var text = "speedup and efficiency relative to N=\(n0)"
            if result.plan.scaling == .weak { text += "; weak scaling: each size runs N/\(result.plan.maxAgents) of the input, speedup is the throughput ratio" }
            lines.append(text)
        }
        if let fit = result.amdahl {
            lines.append("Amdahl: serial fraction \(ReportFormat.number(fit.serialFraction, digits: 3)) (split + stitch + analysis at N=\(fit.baseline)), "
                         + "ceiling \(fit.ceiling.isFinite ? ReportFormat.number(fit.ceiling, digits: 1) + "×" : "none")")
        }
        lines.append(result.caption)
        return lines
    }

    static func cells(_ s: BenchSize) -> [String] {
        let psnr = s.lossless ? "lossless" : s.psnr.map { ReportFormat.number($0, digits: 2) + " dB" } ?? "—"
        return [
            "\(s.agents)", seconds(s.makespan), ReportFormat.number(s.speedup, digits: 2) + "×", ReportFormat.number(s.efficiency, digits: 2),
            ReportFormat.number(s.utilization, digits: 2), seconds(s.split), seconds(s.stitch),
            ReportFormat.bytes(Int64(s.bytesOnLinks)), psnr, s.outputBytes.map { ReportFormat.bytes(Int64($0)) } ?? "—",
        ]
    }

    static func seconds(_ value: Double) -> String { ReportFormat.number(value, digits: 2) + " s" }

    static func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            String(repeating: " ", count: max(0, widths[i] - cell.count)) + cell
        }.joined(separator: "  ")
    }
}
