import AsyncHTTPClient
import Foundation
import GopfarmAPI
import GopfarmCommon
import NIOCore
import NIOHTTP1
import NIOPosix

/// One try of one delivery: an HTTP POST of the stored body with its signature headers, through
/// AsyncHTTPClient, with a timeout. It only reports what happened; the retry policy decides.
/// A redirect is answered as it is (a 3xx, which is not delivered), never followed: the target
/// rule holds for the URL that was checked, not for wherever a receiver points next.
struct WebhookSender: Sendable {
    var timeoutSeconds: Double = 10
    /// Checked again before every try: a name may resolve elsewhere than when it was added.
    var targets = WebhookTargetPolicy()

    func send(_ delivery: DueDelivery, now: Date = Date()) async -> (WebhookRetryPolicy.Outcome, seconds: Double) {
        guard let url = URL(string: delivery.url) else { return (.failed("'\(delivery.url)' is not a URL"), 0) }
        if let why = await targets.refusal(for: delivery.url) { return (.failed(why), 0) }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "gopfarm/\(GopfarmVersion.string)")
        request.headers.add(name: "X-Gopfarm-Event", value: delivery.event.rawValue)
        request.headers.add(name: "X-Gopfarm-Delivery", value: delivery.id)
        if let secret = delivery.secret {
            request.headers.add(name: WebhookSignature.header,
                                value: WebhookSignature.sign(delivery.body, secret: secret, time: Int(now.timeIntervalSince1970)))
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(connect: .milliseconds(Int64(timeoutSeconds * 1000)), read: .milliseconds(Int64(timeoutSeconds * 1000)))
        let client = HTTPClient(eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton), configuration: configuration)
        let started = Date()
        let outcome: WebhookRetryPolicy.Outcome
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            // The receiver's body is not read beyond a little: only its status counts.
            _ = try? await response.body.collect(upTo: 64 << 10)
            outcome = .answered(Int(response.status.code))
        } catch {
            outcome = .failed(Self.describe(error))
        }
        try? await client.shutdown()
        return (outcome, Date().timeIntervalSince(started))
    }

    private static func describe(_ error: Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .readTimeout, .deadlineExceeded, .connectTimeout: return "no answer within the timeout"
            case .remoteConnectionClosed: return "the connection was closed"
            default: return "\(e)"
            }
        }
        if let e = error as? IOError, e.errnoCode == ECONNREFUSED { return "connection refused" }
        if error is NIOConnectionError { return "cannot connect" }
        if error is SocketAddressError { return "unknown host" }
        return "\(error)"
    }
}
