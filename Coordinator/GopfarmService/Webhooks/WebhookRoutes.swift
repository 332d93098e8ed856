import Foundation
import GopfarmAPI
import GopfarmCommon
import Hummingbird

/// `/v1/webhooks`: a producer manages its own webhooks and reads their delivery log; ops see and
/// remove everyone's and add farm-wide ones (which also hear `agent.lost`).
struct WebhookRoutes {
    let service: FarmService

    func add(to router: Router<FarmRequestContext>) {
        let store = service.store
        let hooks = router.group("/v1/webhooks")
        hooks.get { _, context in
            let caller = try context.requireCaller()
            return try json(try await store.webhooks(owner: Self.ownerFilter(caller)))
        }
        hooks.post { request, context in
            let caller = try context.requireCaller()
            var request = request
            let body = try await StrictJSON.decode(WebhookRequest.self, fields: WebhookRequest.fields,
                                                   from: try await request.collectBody(upTo: context.maxUploadSize))
            let farm = body.farm ?? false
            if farm { _ = try context.requireCaller(.ops) }
            let secret = body.secret ?? Self.newSecret()
            do throws(MediaError) {
                try WebhookRules.check(url: body.url)
                try WebhookRules.check(secret: secret)
                try WebhookRules.check(events: body.events ?? [], farm: farm)
            } catch { throw APIError(.unprocessable, error.description) }
            if let why = await service.config.webhookTargets.refusal(for: body.url) { throw APIError(.unprocessable, why) }
            guard let view = try await store.createWebhook(owner: caller.name, scope: farm ? .farm : .producer, url: body.url, secret: secret,
                                                           events: (body.events ?? []).reduce(into: []) { if !$0.contains($1) { $0.append($1) } },
                                                           limit: WebhookRules.maxPerOwner) else {
                throw APIError(.conflict, "\(caller.name) has \(WebhookRules.maxPerOwner) \(farm ? "farm-wide " : "")webhooks, the most one may keep; remove one first (gopfarm webhooks remove ID)")
            }
            await service.audit("webhook", "\(caller.name) added webhook \(view.id) for \(view.url)")
            return try json(WebhookCreated(webhook: view, secret: secret), status: .created)
        }
        hooks.get("deliveries") { request, context in
            let caller = try context.requireCaller()
            let webhook = request.uri.queryParameters.get("webhook")
            if let webhook, try await store.webhook(webhook, owner: Self.ownerFilter(caller)) == nil {
                throw APIError(.notFound, "no webhook \(webhook.prefix(60)) of yours")
            }
            var limit = 100
            if let text = request.uri.queryParameters.get("limit") {
                guard let n = Int(text), (1...1000).contains(n) else {
                    throw APIError(.badRequest, "limit is a number from 1 to 1000, not '\(JobRules.quote(text))'")
                }
                limit = n
            }
            return try json(try await store.webhookDeliveries(owner: Self.ownerFilter(caller), webhook: webhook, limit: limit))
        }
        hooks.delete("{id}") { _, context in
            let caller = try context.requireCaller()
            let id = try pathParameter("id", context)
            guard try await store.removeWebhook(id, owner: Self.ownerFilter(caller)) else { throw APIError(.notFound, "no webhook \(id.prefix(60)) of yours") }
            await service.audit("webhook", "\(caller.name) removed webhook \(id)")
            return try json(["removed": id])
        }
        hooks.post("{id}/test") { _, context in
            let caller = try context.requireCaller()
            let id = try pathParameter("id", context)
            guard try await store.webhook(id, owner: Self.ownerFilter(caller)) != nil, let ping = try await store.queuePing(webhook: id) else {
                throw APIError(.notFound, "no webhook \(id.prefix(60)) of yours")
            }
            let (outcome, seconds) = await WebhookSender(targets: service.config.webhookTargets).send(ping)
            // A ping is tried once: the answer is what the caller wants to see.
            let decision: WebhookRetryPolicy.Decision = WebhookRetryPolicy(maxAttempts: 1).decide(attempt: 1, outcome)
            try await store.recordWebhookAttempt(ping.id, attempt: 1, outcome: outcome, seconds: seconds, decision: decision)
            return switch outcome {
            case .answered(let status): try json(WebhookTestResult(delivery: ping.id, status: status, error: nil, seconds: seconds))
            case .failed(let why): try json(WebhookTestResult(delivery: ping.id, status: nil, error: why, seconds: seconds))
            }
        }
    }

    /// Producers see their own; ops and admins everyone's.
    static func ownerFilter(_ caller: Caller) -> String? { caller.role >= .ops ? nil : caller.name }

    /// 32 random bytes, hex, prefixed so a leaked one is recognisable.
    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + SHA256.hexString((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
