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

    static var headers: HTTPFields { [.contentType: "text/event-stream", .cacheControl: "no-cache"] }

    /// HEAD: the stream's headers once the caller may see the job, without subscribing.
    func headResponse() async throws -> Response {
        _ = try await service.reader.view(job, caller: caller)
        return Response(status: .ok, headers: Self.headers)
    }

    func response() async throws -> Response {
        let first = try await service.reader.view(job, caller: caller)
        let views = service.progress.subscribe(first)
        return Response(status: .ok, headers: Self.headers, body: .init { writer in
            for await view in views {
                let data = String(decoding: try APIJSON.encoder.encode(view), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "event: \(view.state.isFinal ? "end" : "progress")\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}
