import Foundation
import GopfarmCommon
import Logging
import Synchronization
import Testing

/// Log lines as ops read them: text with the second, JSON (for shippers that order events)
/// with the millisecond, a QA pass could not order a second's events.
@Suite("Log lines")
struct LineLogHandlerTests {
    func line(json: Bool) -> String {
        let lines = Mutex<[String]>([])
        var handler = LineLogHandler(label: "gopfarm.test", json: json)
        handler.sink = { text in lines.withLock { $0.append(text) } }
        Logger(label: "gopfarm.test") { _ in handler }.info("job done", metadata: ["job": "0123456789ab", "frames": "150"])
        return lines.withLock { $0.first ?? "" }
    }

    @Test func textLinesHaveTheSecond() throws {
        let text = line(json: false)
        #expect(text.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info gopfarm.test: job done frames=150 job=0123456789ab$"#,
                           options: .regularExpression) != nil, "\(text)")
    }

    @Test func jsonLinesHaveTheMillisecond() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line(json: true).utf8)) as? [String: String])
        #expect(object["time"]?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "\(object)")
        #expect(object["job"] == "0123456789ab" && object["message"] == "job done" && object["level"] == "info")
    }
}
