import GopfarmAPI

/// A line of the store's event log that webhooks are told of. The event log is the outbox: every
/// job state move writes its line in the same transaction as the move, so reading the log in
/// order (from a stored cursor) misses no event and sends none twice, across restarts too.
enum WebhookTrigger: Equatable {
    case job(String, WebhookEvent, state: String)
    case agentLost(name: String, reason: String)

    /// The trigger a log line (`kind`, `message`) is, or nil for lines no webhook hears of.
    static func from(kind: String, job: String?, message: String) -> WebhookTrigger? {
        switch kind {
        case "submitted":
            return job.map { .job($0, .jobQueued, state: "queued") }
        case "state":
            guard let job else { return nil }
            // "running", "done", "failed: why", "cancelled"
            let state = String(message.prefix { $0 != ":" })
            let event: WebhookEvent? = switch state {
            case "running": .jobStarted
            case "done": .jobDone
            case "failed": .jobFailed
            case "cancelled": .jobCancelled
            default: nil
            }
            return event.map { .job(job, $0, state: state) }
        case "agent":
            // "NAME gone: REASON" (the recorder's line when an agent leaves or is lost). An agent
            // that said goodbye (stopped by its operator) or reconnected is not lost.
            guard let range = message.range(of: " gone: ") else { return nil }
            let reason = String(message[range.upperBound...])
            guard !Self.orderlyLeaves.contains(reason) else { return nil }
            return .agentLost(name: String(message[..<range.lowerBound]), reason: reason)
        default:
            return nil
        }
    }

    /// `DispatchCore`'s reasons for an agent that went away in good order.
    static let orderlyLeaves: Set<String> = ["left", "said hello again"]

    var event: WebhookEvent {
        switch self {
        case .job(_, let event, _): event
        case .agentLost: .agentLost
        }
    }
}
