import Foundation
import Logging

/// Structured log lines on stderr: `2026-11-24T21:00:00Z info label: message key=value`, or one
/// JSON object per line with `json: true` (for log shippers).
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    /// Where finished lines go (without their newline); nil: stderr at once. A one-shot
    /// command holds them until it knows whether it succeeded.
    public var sink: (@Sendable (String) -> Void)?
    let label: String
    let json: Bool

    public init(label: String, json: Bool = false) {
        self.label = label
        self.json = json
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        // JSON lines are for machines that order events: milliseconds there.
        let time = Self.timestamp(milliseconds: json)
        var text: String
        if json {
            var object: [String: String] = ["time": time, "level": "\(level)", "logger": label, "message": "\(message)"]
            for (k, v) in all { object[k] = "\(v)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = "\(time) \(level) \(label): \(message)"
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { text += " \(k)=\(v)" }
        }
        if let sink { sink(text) } else { Console.error(text + "\n") }
    }

    /// `2026-11-24T21:00:00Z` through `gmtime_r`/`strftime` (an ISO8601DateFormatter per line
    /// cost more than everything else a busy coordinator did per segment).
    /// With `milliseconds`, `2026-11-24T21:00:00.123Z`.
    static func timestamp(milliseconds: Bool = false) -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        var now = clock.tv_sec
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        let seconds = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard milliseconds else { return seconds + "Z" }
        let ms = Int(clock.tv_nsec / 1_000_000)
        return seconds + "." + String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + String(ms) + "Z"
    }
}
