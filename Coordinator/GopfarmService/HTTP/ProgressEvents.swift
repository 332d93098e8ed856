import Foundation
import GopfarmAPI
import Hummingbird

/// `GET /v1/jobs/{id}/events`: server-sent events, a `progress` event with the job's JSON
/// whenever it changes (at most four a second), and `end` once it is final. The views come
/// from the one `ProgressPublisher`; a stream reads nothing from the database itself.
struct ProgressEvents {
    let service: FarmService
    let job: String
    let caller: Caller

    func response() async throws -> Response {
        let first = try await service.reader.view(job, caller: caller)
        let views = service.progress.subscribe(first)
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init { writer in
            for await view in views {
                let data = String(decoding: try APIJSON.encoder.encode(view), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "event: \(view.state.isFinal ? "end" : "progress")\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}
