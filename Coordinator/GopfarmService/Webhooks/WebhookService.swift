import Foundation
import GopfarmAPI
import Logging
import ServiceLifecycle

/// Delivers webhooks, in the farm's service group: a few times a second it turns new lines of the
/// event log into queued deliveries (`JobStore.feedWebhooks`) and sends the deliveries that are
/// due (one URL's in order, different URLs' at once), each with a timeout; the `WebhookRetryPolicy` decides when a failed one is tried
/// again. The queue is in the store, so a restart resumes it; a graceful shutdown ends the loop
/// between rounds.
final class WebhookService: Service, Sendable {
    let store: JobStore
    let policy: WebhookRetryPolicy
    let sender: WebhookSender
    let logger: Logger
    static let interval = Duration.milliseconds(200)

    init(store: JobStore, policy: WebhookRetryPolicy, sender: WebhookSender = WebhookSender(), logger: Logger) {
        self.store = store
        self.policy = policy
        self.sender = sender
        self.logger = logger
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await round()
            try? await Task.sleep(for: Self.interval)
        }
    }

    /// One round: queue what the event log added, send what is due.
    func round() async {
        do {
            _ = try await store.feedWebhooks()
            let due = try await store.dueDeliveries()
            // One URL's deliveries go one after another, in the order they were queued (a
            // receiver sees job.queued before job.started); different URLs' at once.
            let byURL = Dictionary(grouping: due, by: \.url)
            await withTaskGroup(of: Void.self) { group in
                for deliveries in byURL.values {
                    group.addTask { for delivery in deliveries { await self.deliver(delivery) } }
                }
            }
        } catch {
            logger.warning("webhooks: \(error)")
        }
    }

    /// Sends one due delivery and records the try.
    func deliver(_ delivery: DueDelivery) async {
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
    }
}
