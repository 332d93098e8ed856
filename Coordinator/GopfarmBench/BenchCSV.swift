/// `bench.csv`: one line per cluster size, the table's figures unformatted (seconds, bytes,
/// ratios), for spreadsheets and plotting scripts.
public enum BenchCSV {
    public static let header = [
        "agents", "runs", "makespan_s", "speedup", "efficiency", "utilization", "split_s", "encode_s", "stitch_audio_s",
        "analysis_s", "other_s", "serial_s", "amdahl_speedup", "bytes_on_links", "psnr_db", "lossless", "output_bytes",
        "output_frames", "input_s",
    ]

    public static func text(_ result: BenchResult) -> String {
        var lines = [header.joined(separator: ",")]
        for s in result.sizes {
            let cells: [String] = [
                "\(s.agents)", "\(s.runs)", number(s.makespan), number(s.speedup), number(s.efficiency), number(s.utilization),
                number(s.split), number(s.encode), number(s.stitch), number(s.analysis), number(s.other), number(s.serial),
                number(s.amdahlSpeedup), "\(s.bytesOnLinks)", number(s.psnr), s.lossless ? "true" : "false",
                s.outputBytes.map(String.init) ?? "", s.outputFrames.map(String.init) ?? "", number(s.inputSeconds),
            ]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Six decimals, trailing zeros dropped; empty when unknown or not finite.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
