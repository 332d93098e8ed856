import Foundation
import Hummingbird

/// `GET /v1/jobs/{id}/events`: server-sent events, a `progress` event with the job's JSON
/// whenever it changes (at most four a second), and `end` once it is final.
struct ProgressEvents {
    let service: FarmService
    let job: String
    let caller: Caller

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let service = self.service, job = self.job, caller = self.caller
        return Response(status: .ok, headers: headers, body: .init { writer in
            var last: JobView?
            var lastSent = Date.distantPast
            while true {
                let view = try service.view(job, caller: caller)
                let final = view.state.isFinal
                if view != last || Date().timeIntervalSince(lastSent) > 15 {
                    let data = String(decoding: try APIJSON.encoder.encode(view), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: \(final ? "end" : "progress")\ndata: \(data)\n\n"))
                    last = view
                    lastSent = Date()
                }
                // A coordinator shutting down ends the stream (clients retry against the next one).
                if final || service.isShuttingDown { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            try await writer.finish(nil)
        })
    }
}
