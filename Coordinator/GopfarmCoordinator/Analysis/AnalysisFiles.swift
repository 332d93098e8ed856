import Foundation
import GopfarmCommon

/// Reads and writes a `JobAnalysis` as JSON (the sidecar of `transcode`, `analyze --save`, the
/// service's store). The per-frame series, most of a long job's bytes, is written column by
/// column (`FrameSeries.writeJSON`), never as one `JSONEncoder` document.
public enum AnalysisFiles {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// Written beside `url` and renamed into place, so a reader never sees half of it.
    public static func write(_ analysis: JobAnalysis, to url: URL) throws {
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: partial.path])
        }
        do {
            let file = try FileHandle(forWritingTo: partial)
            defer { try? file.close() }
            try encode(analysis) { try file.write(contentsOf: $0) }
            guard rename(partial.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    public static func data(_ analysis: JobAnalysis) throws -> Data {
        var data = Data()
        try encode(analysis) { data.append($0) }
        return data
    }

    public static func read(_ url: URL) throws -> JobAnalysis {
        try JSONDecoder().decode(JobAnalysis.self, from: Data(contentsOf: url))
    }

    /// The document without its series through `JSONEncoder`, then `"series"` as its last key.
    static func encode(_ analysis: JobAnalysis, into sink: (Data) throws -> Void) throws {
        var rest = analysis
        rest.series = nil
        var head = try encoder().encode(rest)
        guard let series = analysis.series, head.last == UInt8(ascii: "}") else { return try sink(head) }
        head.removeLast()
        head.append(contentsOf: Array((head.count > 1 ? #","series":"# : #""series":"#).utf8))
        try sink(head)
        try series.writeJSON(to: sink)
        try sink(Data("}".utf8))
    }
}
