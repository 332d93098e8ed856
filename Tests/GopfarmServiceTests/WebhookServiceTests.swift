import Foundation
import GopfarmAPI
@testable import GopfarmService
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceTestSupport
import Synchronization
import Testing

/// The delivery loop against a live local receiver with two URLs: one that answers, one that
/// hangs. The hanging one holds up only its own deliveries; the other's arrive, in the order
/// they were queued, while the first try of the hanging one is still waiting for its answer.
@Suite("Webhook service")
struct WebhookServiceTests {
    @Test("a receiver that hangs holds up only its own deliveries; another URL's arrive in order")
    func hangingReceiver() async throws {
        let farm = try await TestFarmService("webhook-service")
        defer { farm.remove() }
        let store = farm.service.store
        let fast = Mutex<[String]>([])
        let router = Router()
        router.post("/slow") { _, _ -> HTTPResponse.Status in
            try? await Task.sleep(for: .seconds(2))
            return .ok
        }
        router.post("/fast") { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 16)
            let payload = try APIJSON.decoder.decode(WebhookPayload.self, from: Data(buffer: body))
            fast.withLock { $0.append(payload.agent?.name ?? "?") }
            return .noContent
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let secret = "whsec_0123456789abcdef"
            let slow = try #require(try await store.createWebhook(owner: "olga", scope: .farm, url: "http://127.0.0.1:\(port)/slow", secret: secret, events: []))
            _ = try await store.createWebhook(owner: "olga", scope: .farm, url: "http://127.0.0.1:\(port)/fast", secret: secret, events: [])
            func lose(_ name: String) async { await store.event(job: nil, kind: "agent", "\(name) gone: no heartbeat for 4 s") }
            func wait(for count: Int) async throws {
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline, fast.withLock({ $0.count }) < count { try await Task.sleep(for: .milliseconds(10)) }
            }
            await lose("a1")

            let service = WebhookService(store: store, policy: WebhookRetryPolicy(baseSeconds: 0.1),
                                         sender: WebhookSender(timeoutSeconds: 1.5, targets: WebhookTargetPolicy(allowPrivate: true)), logger: Logger(label: "webhook-service"))
            let running = Task { try await service.run() }
            defer { running.cancel() }
            // a1 reached both URLs; /slow does not answer. Events queued now still reach /fast at once.
            try await wait(for: 1)
            await lose("a2")
            await lose("a3")
            try await wait(for: 3)
            // All three arrived, in order, while the slow URL's first try is still out (no try of it recorded yet).
            #expect(fast.withLock { $0 } == ["a1", "a2", "a3"])
            let slowLog = try await store.webhookDeliveries(owner: nil, webhook: slow.id)
            #expect(slowLog.count == 3 && slowLog.allSatisfy { $0.attempts.isEmpty && $0.state == "pending" }, "\(slowLog)")
        }
    }

    /// 410 Gone: the receiver says the URL is no more. The webhook is switched off: what it had
    /// queued is given up, and later events queue nothing for it.
    @Test("a 410 Gone switches the webhook off: its queue is given up and later events skip it")
    func goneReceiver() async throws {
        let farm = try await TestFarmService("webhook-gone")
        defer { farm.remove() }
        let store = farm.service.store
        let tries = Mutex(0)
        let router = Router()
        router.post("/gone") { _, _ -> HTTPResponse.Status in
            tries.withLock { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(200))
            return .gone
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let hook = try #require(try await store.createWebhook(owner: "olga", scope: .farm, url: "http://127.0.0.1:\(port)/gone", secret: nil, events: []))
            for name in ["a1", "a2"] { await store.event(job: nil, kind: "agent", "\(name) gone: no heartbeat for 4 s") }
            let service = WebhookService(store: store, policy: WebhookRetryPolicy(baseSeconds: 0.1),
                                         sender: WebhookSender(timeoutSeconds: 1.5, targets: WebhookTargetPolicy(allowPrivate: true)), logger: Logger(label: "webhook-gone"))
            let running = Task { try await service.run() }
            defer { running.cancel() }
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline, try await store.webhook(hook.id, owner: nil)?.0.goneAt == nil {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await store.webhook(hook.id, owner: nil)?.0.goneAt != nil)
            await store.event(job: nil, kind: "agent", "a3 gone: no heartbeat for 4 s")
            try await Task.sleep(for: .milliseconds(600))
            let log = try await store.webhookDeliveries(owner: nil, webhook: hook.id)
            #expect(log.count == 2, "a3 queued nothing: \(log)")
            #expect(log.allSatisfy { $0.state != "pending" }, "\(log)")
            #expect(tries.withLock { $0 } == 1, "the second delivery was given up, not tried")
        }
    }

    @Test("a URL whose turn was in progress when the queue was read waits for the next read")
    func aTurnInProgressIsNotSentAgain() {
        func due(_ id: String, _ url: String) -> DueDelivery {
            DueDelivery(id: id, url: url, secret: nil, event: .ping, body: Data(), attempts: 0)
        }
        let queue = [due("d1", "http://a/"), due("d2", "http://b/"), due("d3", "http://a/")]
        // A's turn ended between the read and the claim: d1 may be what it has just delivered.
        var busy: Set<String> = []
        var turns = WebhookService.claim(queue, busyBeforeRead: ["http://a/"], busy: &busy)
        #expect(turns.map(\.0) == ["http://b/"] && busy == ["http://b/"])
        // The next read, with nothing in progress, takes A's deliveries in queue order.
        busy = []
        turns = WebhookService.claim(queue, busyBeforeRead: [], busy: &busy)
        #expect(turns.map(\.0) == ["http://a/", "http://b/"] && turns.first?.1.map(\.id) == ["d1", "d3"])
        // A URL still busy is not claimed twice.
        turns = WebhookService.claim(queue, busyBeforeRead: [], busy: &busy)
        #expect(turns.isEmpty)
    }
}
