import Foundation
import GopfarmAPI
import Hummingbird

/// `GET /live/jobs?ids=…`: one server-sent event stream for the unfinished rows of a jobs list
/// page (a browser holds six connections to an HTTP/1.1 server, so not one stream a row). Each
/// job is a subscription to the one `ProgressPublisher` the job pages' streams use, so the list
/// reads nothing from the database per tick; the subscriptions are merged into `row` events
/// (the row as the list draws it), and the stream ends once every job is final (or at the
/// coordinator's graceful shutdown, which ends the publisher's streams). Ids the caller may not
/// see are left out as if they did not exist (a producer's list holds only its own jobs); with
/// none left the answer is 204, which tells `EventSource` not to reconnect.
struct JobListEvents {
    let service: FarmService
    let ids: [String]
    let caller: Caller

    func response() async throws -> Response {
        var rows: [JobRow] = []
        for id in Set(ids).sorted().prefix(DashboardPages.pageSize) {
            // Only a job the caller may see; an unknown or another producer's id is skipped.
            if let row = try? await service.reader.visibleRow(id, caller: caller) { rows.append(row) }
        }
        guard !rows.isEmpty else { return Response(status: .noContent) }
        let firsts: [JobView]
        do { firsts = try await service.views.list(rows) } catch { throw APIError(.unavailable, "cannot read jobs: \(error)") }
        let progress = service.progress
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init { writer in
            // Subscribed here, where the body is written: a response never sent holds none.
            let streams = firsts.map { progress.subscribe($0) }
            let (merged, sink) = AsyncStream.makeStream(of: JobView.self)
            // Each subscription forwards into the merged stream; the writer alone writes. A
            // browser that goes away makes `write` throw, which cancels the forwarders, and
            // cancelling them ends their subscriptions (the publisher drops them).
            let forwarders = Task {
                await withTaskGroup(of: Void.self) { group in
                    for stream in streams {
                        group.addTask { for await view in stream { sink.yield(view) } }
                    }
                }
                sink.finish()
            }
            defer { forwarders.cancel() }
            for await view in merged {
                let row = DashboardRows.job(view, now: Date())
                let data = String(decoding: try APIJSON.encoder.encode(row), as: UTF8.self)
                try await writer.write(ByteBuffer(string: "event: row\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}
