import Foundation

/// When a webhook delivery is tried again: exponential back-off from `baseSeconds` (1 s, 2 s,
/// 4 s, … up to `capSeconds`), at most `maxAttempts` tries in all. A 2xx answer delivers; any
/// other answer, a timeout or a refused connection is tried again, except 410 Gone (the
/// receiver says the URL is no more: the store also switches the webhook off). Pure: the `WebhookService` does what it decides.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var baseSeconds: Double
    public var capSeconds: Double
    public var maxAttempts: Int

    public init(baseSeconds: Double = 1, capSeconds: Double = 3600, maxAttempts: Int = 10) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.maxAttempts = maxAttempts
    }

    /// What came of one try.
    public enum Outcome: Sendable, Equatable {
        /// The receiver answered with this HTTP status.
        case answered(Int)
        /// No answer: timeout, refused connection, bad address.
        case failed(String)
    }

    /// What to do with the delivery after a try.
    public enum Decision: Sendable, Equatable {
        case delivered
        /// Try again this many seconds from now.
        case retry(after: Double)
        /// No more tries; the reason is kept in the delivery log.
        case giveUp(String)
    }

    /// The wait before the next try after `attempt` tries (1-based) failed.
    public func delay(afterAttempt attempt: Int) -> Double {
        let exponent = Double(max(0, attempt - 1))
        return min(capSeconds, baseSeconds * pow(2, min(exponent, 60)))
    }

    /// Decides after try number `attempt` (1-based) came to `outcome`.
    public func decide(attempt: Int, _ outcome: Outcome) -> Decision {
        if case .answered(let status) = outcome {
            if (200..<300).contains(status) { return .delivered }
            if status == 410 { return .giveUp("the receiver answered 410 Gone") }
        }
        if attempt >= maxAttempts { return .giveUp("no success after \(attempt) attempts") }
        return .retry(after: delay(afterAttempt: attempt))
    }
}
