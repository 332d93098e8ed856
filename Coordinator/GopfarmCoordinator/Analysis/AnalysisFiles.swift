import Foundation
import GopfarmCommon

/// Reads and writes a `JobAnalysis` as JSON (the sidecar of `transcode`, `analyze --save`).
public enum AnalysisFiles {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static func write(_ analysis: JobAnalysis, to url: URL) throws {
        try encoder().encode(analysis).write(to: url, options: .atomic)
    }

    public static func read(_ url: URL) throws -> JobAnalysis {
        try JSONDecoder().decode(JobAnalysis.self, from: Data(contentsOf: url))
    }
}
