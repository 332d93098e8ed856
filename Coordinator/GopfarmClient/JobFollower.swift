import Foundation
import GopfarmAPI

/// Follows one job until it is done, failed or cancelled.
///
/// With `.events` it listens to the job's event stream; when the stream breaks (the coordinator
/// restarts, a proxy times out) it asks `GET /v1/jobs/{id}` instead, and goes back to the stream
/// once the coordinator answers; a stream that keeps breaking without delivering anything is
/// given up for polling. With `.polling` it asks `GET /v1/jobs/{id}` every `pollInterval`
/// seconds. Either way it retries with back-off while the coordinator is unreachable, for up to
/// `unreachableLimit` seconds.
package struct JobFollower: Sendable {
    package enum Mode: String, Sendable, CaseIterable {
        case events, polling

        /// The event stream: it waits on the socket without a cost (AsyncHTTPClient; the
        /// URLSession of swift-corelibs-foundation spun a core while it waited, so Linux polled).
        static var platformDefault: Mode { .events }
    }

    package enum Note: Sendable {
        /// The coordinator stopped answering; retrying.
        case lost(ClientError)
        /// It answers again.
        case back
    }

    package let client: APIClient
    package let id: String
    package var mode = Mode.platformDefault
    package var unreachableLimit = 60.0
    package var pollInterval = 0.5

    package init(client: APIClient, id: String) {
        self.client = client
        self.id = id
    }

    package func follow(update: @escaping @Sendable (JobView) -> Void,
                note: @escaping @Sendable (Note) -> Void = { _ in }) async throws -> JobView {
        var useEvents = mode == .events
        var streamFailures = 0
        var unreachableSince: Date?
        var backoff = 0.5
        var lastView: JobView?

        func seen(_ view: JobView) {
            if unreachableSince != nil { note(.back) }
            unreachableSince = nil
            backoff = 0.5
            if view != lastView { update(view) }
            lastView = view
        }

        /// Waits out one failure; throws once the coordinator has been away too long.
        func unreachable(_ error: ClientError) async throws {
            let since = unreachableSince ?? Date()
            if unreachableSince == nil { note(.lost(error)) }
            unreachableSince = since
            if Date().timeIntervalSince(since) >= unreachableLimit { throw error }
            try await APIClient.pause(backoff)
            backoff = min(backoff * 2, 5)
        }

        while true {
            var streamBroke = false
            if useEvents {
                var delivered = false
                do {
                    for try await event in client.events(of: id) where event.event == "progress" || event.event == "end" {
                        let view: JobView
                        do { view = try APIClient.decoder.decode(JobView.self, from: Data(event.data.utf8)) } catch {
                            throw ClientError.undecodable(request: "GET /v1/jobs/\(id)/events", detail: APIClient.describe(error))
                        }
                        delivered = true
                        streamFailures = 0
                        seen(view)
                        if view.state.isFinal { return view }
                    }
                    // Closed without a final state: the server went away or cut the stream.
                } catch let error as ClientError {
                    switch error {
                    case .interrupted, .unauthorized, .undecodable: throw error
                    default: break  // polling tells whether the job or the coordinator is gone
                    }
                }
                streamBroke = !delivered
            }
            // Poll once (or until the coordinator answers), then try the stream again.
            do {
                let view = try await client.job(id)
                // Counted only when the coordinator answers: a stream that fails while the
                // coordinator is down says nothing about the stream.
                if streamBroke {
                    streamFailures += 1
                    useEvents = streamFailures < 3
                }
                seen(view)
                if view.state.isFinal { return view }
                try await APIClient.pause(pollInterval)
            } catch let error as ClientError where error.isTransient {
                try await unreachable(error)
            }
        }
    }
}
