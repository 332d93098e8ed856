import Foundation

/// One message of a `text/event-stream`.
package struct ServerSentEvent: Sendable, Equatable {
    package var event: String
    package var data: String
    package init(event: String, data: String) {
        self.event = event
        self.data = data
    }
}

/// Splits a `text/event-stream` body into events as its bytes arrive (lines ending in LF, CRLF
/// or CR; `data:` lines joined with LF; comments and unknown fields ignored), per the WHATWG
/// EventSource rules that the client needs.
package final class ServerSentEventParser: @unchecked Sendable {
    // @unchecked Sendable: `feed` is only called by the one task that reads the stream's body.

    private var pending = Data()
    private var event = ""
    private var data: [String] = []
    private var lastWasCR = false

    package init() {}

    /// Appends a chunk and returns the events it completed.
    package func feed(_ chunk: Data) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in chunk {
            if byte == UInt8(ascii: "\n") && lastWasCR {  // the LF of a CRLF
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let e = line(String(decoding: pending, as: UTF8.self)) { events.append(e) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
            }
        }
        return events
    }

    private func line(_ text: String) -> ServerSentEvent? {
        if text.isEmpty {
            defer { event = ""; data = [] }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n"))
        }
        if text.hasPrefix(":") { return nil }
        let field: Substring, value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            let rest = text[text.index(after: colon)...]
            value = rest.hasPrefix(" ") ? rest.dropFirst() : rest
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": event = String(value)
        case "data": data.append(String(value))
        default: break
        }
        return nil
    }
}
