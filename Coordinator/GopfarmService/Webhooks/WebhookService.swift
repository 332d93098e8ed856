import Foundation
import GopfarmAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Delivers webhooks, in the farm's service group: every 50 ms it turns new lines of the
/// event log into queued deliveries (`JobStore.feedWebhooks`) and sends the deliveries that are
/// due, each with a timeout; the `WebhookRetryPolicy` decides when a failed one is tried again.
/// One URL's deliveries go one after another in the order they were queued (a receiver sees
/// job.queued before job.started), and a failure stops that URL's turn, so the rest keep their
/// order behind the retry; different URLs are served at once, and a URL that hangs (until the
/// timeout) holds up only its own deliveries. The queue is in the store, so a restart resumes it;
/// a graceful shutdown stops taking new work and lets the tries in flight finish.
final class WebhookService: Service, Sendable {
    let store: JobStore
    let policy: WebhookRetryPolicy
    let sender: WebhookSender
    let logger: Logger
    /// URLs with a turn in progress.
    private let busy = Mutex<Set<String>>([])
    static let interval = Duration.milliseconds(50)
    static let retryInterval = Duration.seconds(2)

    init(store: JobStore, policy: WebhookRetryPolicy, sender: WebhookSender = WebhookSender(), logger: Logger) {
        self.store = store
        self.policy = policy
        self.sender = sender
        self.logger = logger
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            // While the store cannot be read or written (its disk full), one warning and a try
            // every 2 s: at every 50 ms turn it logged 20 lines a second.
            var failing = false
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                guard let turns = await dueTurns(warn: !failing) else {
                    failing = true
                    try? await Task.sleep(for: Self.retryInterval)
                    continue
                }
                if failing { logger.info("webhooks: the store answers again") }
                failing = false
                for (url, deliveries) in turns {
                    group.addTask {
                        defer { _ = self.busy.withLock { $0.remove(url) } }
                        for delivery in deliveries where await !self.deliver(delivery) { break }
                    }
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    /// Queues what the event log added; returns the due deliveries of each URL without a turn in
    /// progress, marking those URLs busy; nil when the store failed (said once with `warn`).
    func dueTurns(warn: Bool) async -> [(String, [DueDelivery])]? {
        do {
            _ = try await store.feedWebhooks()
            let busyBeforeRead = busy.withLock { $0 }
            let due = try await store.dueDeliveries()
            return busy.withLock { Self.claim(due, busyBeforeRead: busyBeforeRead, busy: &$0) }
        } catch is CancellationError {
            return []  // the coordinator is stopping
        } catch {
            if warn { logger.warning("webhooks: cannot read or queue deliveries; trying again every 2 s", metadata: ["error": "\(error)"]) }
            return nil
        }
    }

    /// Groups `due` by URL in queue order and claims each URL that had no turn in progress,
    /// marking it busy. A URL busy when the queue was read is left for the next read even if its
    /// turn has ended since: what was read may be a delivery that turn has just sent and recorded
    /// (sending it again made receivers see a delivery twice, both answered 200).
    static func claim(_ due: [DueDelivery], busyBeforeRead: Set<String>, busy: inout Set<String>) -> [(String, [DueDelivery])] {
        var order: [String] = []
        var byURL: [String: [DueDelivery]] = [:]
        for d in due {
            if byURL[d.url] == nil { order.append(d.url) }
            byURL[d.url, default: []].append(d)
        }
        return order.filter { !busyBeforeRead.contains($0) && busy.insert($0).inserted }.map { ($0, byURL[$0] ?? []) }
    }

    /// Sends one due delivery and records the try; true when it was delivered.
    @discardableResult
    func deliver(_ delivery: DueDelivery) async -> Bool {
        let attempt = delivery.attempts + 1
        let (outcome, seconds) = await sender.send(delivery)
        let decision = policy.decide(attempt: attempt, outcome)
        do {
            try await store.recordWebhookAttempt(delivery.id, attempt: attempt, outcome: outcome, seconds: seconds, decision: decision)
        } catch {
            logger.warning("webhooks: cannot record delivery \(delivery.id): \(error)")
        }
        if case .giveUp(let why) = decision {
            logger.warning("webhook delivery given up", metadata: ["delivery": "\(delivery.id)", "url": "\(delivery.url)", "why": "\(why)"])
        }
        return decision == .delivered
    }
}
