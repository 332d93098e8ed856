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
    /// Checked again before every try: a name may resolve elsewhere than when it was added.
    var targets = WebhookTargetPolicy()

    func send(_ delivery: DueDelivery, now: Date = Date()) async -> (WebhookRetryPolicy.Outcome, seconds: Double) {
        guard let url = URL(string: delivery.url) else { return (.failed("'\(delivery.url)' is not a URL"), 0) }
        if let why = await targets.refusal(for: delivery.url) { return (.failed(why), 0) }
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
        let session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
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

/// A redirect is answered as it is (a 3xx, which is not delivered), never followed: the target
/// rule holds for the URL that was checked, not for wherever a receiver points next.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
