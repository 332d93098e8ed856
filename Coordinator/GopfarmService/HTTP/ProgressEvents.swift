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
    /// The caller's token, checked again every few seconds: a stream opened before its token was
    /// revoked or expired ends then, not when the job does.
    var token: String?

    static var headers: HTTPFields { [.contentType: "text/event-stream", .cacheControl: "no-cache"] }

    /// HEAD: the stream's headers once the caller may see the job, without subscribing.
    func headResponse() async throws -> Response {
        _ = try await service.reader.view(job, caller: caller)
        return Response(status: .ok, headers: Self.headers)
    }

    func response() async throws -> Response {
        let first = try await service.reader.view(job, caller: caller)
        let views = service.progress.subscribe(first)
        let (store, token) = (service.store, token)
        return Response(status: .ok, headers: Self.headers, body: .init { writer in
            // The views, and with a token a tick every 2 s (nil) to check it by: a job may not
            // change for minutes.
            let (events, continuation) = AsyncStream<JobView?>.makeStream()
            let forward = Task {
                for await view in views { continuation.yield(view) }
                continuation.finish()
            }
            let ticker = Task {
                while token != nil, !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    continuation.yield(nil)
                }
            }
            defer {
                forward.cancel()
                ticker.cancel()
            }
            for await event in events {
                guard let view = event else {
                    if let token, case .caller = try await store.check(token: token) { continue }
                    break
                }
                let data = String(decoding: try APIJSON.encoder.encode(view), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "event: \(view.state.isFinal ? "end" : "progress")\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}
