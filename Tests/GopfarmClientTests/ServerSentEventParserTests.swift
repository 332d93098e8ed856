import Foundation
@testable import GopfarmClient
import Testing

/// The event-stream parser: events arrive in chunks cut anywhere, with any line ending.
@Suite("Server-sent event parser")
struct ServerSentEventParserTests {
    @Test("chunks cut mid-line, CRLF and CR endings, comments, multi-line data")
    func chunking() {
        let stream = ": hello\r\nevent: job\r\ndata: {\"a\":1}\r\n\r\ndata: one\ndata: two\n\nevent: end\rdata: x\r\r"
        let bytes = Array(stream.utf8)
        // Every way of cutting the stream in two gives the same events.
        for cut in 0...bytes.count {
            let parser = ServerSentEventParser()
            let events = parser.feed(Data(bytes[..<cut])) + parser.feed(Data(bytes[cut...]))
            #expect(events == [ServerSentEvent(event: "job", data: #"{"a":1}"#), ServerSentEvent(event: "message", data: "one\ntwo"),
                               ServerSentEvent(event: "end", data: "x")], "cut at \(cut)")
        }
    }

    @Test("byte at a time; an event without data is no event")
    func byteAtATime() {
        let parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in "event: ping\n\nretry: 10\nid: 3\ndata: ok\n\n".utf8 { events += parser.feed(Data([byte])) }
        #expect(events == [ServerSentEvent(event: "message", data: "ok")])
    }
}
