import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GopfarmAPI
import GopfarmCommon

/// One try of one delivery: an HTTP POST of the stored body with its signature headers, through
/// Foundation's URLSession, with a timeout. It only reports what happened; the retry policy decides.
struct WebhookSender: Sendable {
    var timeoutSeconds: Double = 10

    func send(_ delivery: DueDelivery, now: Date = Date()) async -> (WebhookRetryPolicy.Outcome, seconds: Double) {
        guard let url = URL(string: delivery.url) else { return (.failed("'\(delivery.url)' is not a URL"), 0) }
        var request = URLRequest(url: url, timeoutInterval: timeoutSeconds)
        request.httpMethod = "POST"
        request.httpBody = delivery.body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("gopfarm/\(GopfarmVersion.string)", forHTTPHeaderField: "User-Agent")
        request.setValue(delivery.event.rawValue, forHTTPHeaderField: "X-Gopfarm-Event")
        request.setValue(delivery.id, forHTTPHeaderField: "X-Gopfarm-Delivery")
        if let secret = delivery.secret {
            request.setValue(WebhookSignature.sign(delivery.body, secret: secret, time: Int(now.timeIntervalSince1970)),
                             forHTTPHeaderField: WebhookSignature.header)
        }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = timeoutSeconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let started = Date()
        let outcome: WebhookRetryPolicy.Outcome = await withCheckedContinuation { continuation in
            session.dataTask(with: request) { _, response, error in
                if let status = (response as? HTTPURLResponse)?.statusCode {
                    continuation.resume(returning: .answered(status))
                } else {
                    continuation.resume(returning: .failed(error.map { Self.describe($0) } ?? "no answer"))
                }
            }.resume()
        }
        return (outcome, Date().timeIntervalSince(started))
    }

    private static func describe(_ error: Error) -> String {
        guard let error = error as? URLError else { return "\(error)" }
        switch error.code {
        case .timedOut: return "no answer within the timeout"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost: return "unknown host"
        default: return error.localizedDescription
        }
    }
}
