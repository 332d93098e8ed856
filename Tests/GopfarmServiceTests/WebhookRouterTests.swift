import Foundation
import GopfarmAPI
@testable import GopfarmService
import HummingbirdTesting
import Testing

/// `/v1/webhooks` in process: a producer's webhooks are its own, the secret is shown once,
/// farm-wide ones (and agent.lost) are ops', bad URLs and secrets are refused with a sentence;
/// and the event log becomes one queued delivery per webhook that hears of each event.
@Suite("Webhooks in the API router")
struct WebhookRouterTests {
    typealias H = APIRouterTests

    @Test("webhooks are their owner's; the secret is shown once; bad requests get one sentence")
    func ownership() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            var r = try await H.send(client, .post, "/v1/webhooks", token: h.alice, json: #"{"url":"https://example.com/hook","events":["job.done"]}"#)
            #expect(r.status == 201, "\(r.text)")
            let secret = try #require(r.json()?["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && secret.count == 70)
            let id = try #require((r.json()?["webhook"] as? [String: Any])?["id"] as? String)
            let listed = try await H.send(client, .get, "/v1/webhooks", token: h.alice)
            #expect(listed.text.contains(id) && !listed.text.contains(secret), "\(listed.text)")
            #expect(try await H.send(client, .get, "/v1/webhooks", token: h.bob).text.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
            #expect(try await H.send(client, .get, "/v1/webhooks", token: h.ops).text.contains(id))
            #expect(try await H.send(client, .post, "/v1/webhooks/\(id)/test", token: h.bob).status == 404)
            #expect(try await H.send(client, .delete, "/v1/webhooks/\(id)", token: h.bob).status == 404)

            let bad: [(String, String, Int, String)] = [
                (h.alice, #"{"url":"ftp://example.com"}"#, 422, "a webhook URL is http:// or https:// with a host"),
                (h.alice, #"{"url":"http://"}"#, 422, "a webhook URL is http:// or https:// with a host"),
                (h.alice, #"{"url":"https://example.com","secret":"short"}"#, 422, "a webhook secret has 16 to 200"),
                (h.alice, #"{"url":"https://example.com","events":["agent.lost"]}"#, 422, "agent.lost goes to farm-wide webhooks only"),
                (h.alice, #"{"url":"https://example.com","events":["job.exploded"]}"#, 400, "has an invalid value"),
                (h.alice, #"{"url":"https://example.com","farm":true}"#, 403, "this needs the ops role"),
                (h.alice, #"{"url":"https://example.com","colour":"red"}"#, 400, "unknown field 'colour'"),
                (h.ops, #"{"url":"https://example.com","events":["ping"],"farm":true}"#, 422, "'ping' is sent by 'webhooks test'"),
            ]
            for (token, body, status, message) in bad {
                r = try await H.send(client, .post, "/v1/webhooks", token: token, json: body)
                #expect(r.status == status && (r.error ?? "").contains(message), "\(body) → \(r.status) \(r.text)")
            }
            r = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                 json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264"},"webhooks":[{"url":"gopher://x"}]}"#)
            #expect(r.status == 422 && (r.error ?? "").hasPrefix("a webhook URL is http://"), "\(r.text)")
            #expect(try await H.send(client, .delete, "/v1/webhooks/\(id)", token: h.alice).status == 200)
            #expect(try await H.send(client, .get, "/v1/webhooks", token: h.alice).text.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")

            // A name keeps at most 20: each job event is a delivery per webhook.
            for n in 1...WebhookRules.maxPerOwner {
                r = try await H.send(client, .post, "/v1/webhooks", token: h.bob, json: #"{"url":"https://example.com/\#(n)"}"#)
                try #require(r.status == 201, "\(n): \(r.text)")
            }
            r = try await H.send(client, .post, "/v1/webhooks", token: h.bob, json: #"{"url":"https://example.com/more"}"#)
            #expect(r.status == 409 && r.error == "bob has 20 webhooks, the most one may keep; remove one first (gopfarm webhooks remove ID)", "\(r.text)")
            // Another name's are its own count.
            #expect(try await H.send(client, .post, "/v1/webhooks", token: h.alice, json: #"{"url":"https://example.com/a"}"#).status == 201)
        }
    }

    @Test("the event log becomes one delivery per webhook that hears of each event")
    func feed() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        let store = h.service.store
        try await h.test { client in
            _ = try await H.send(client, .post, "/v1/webhooks", token: h.alice, json: #"{"url":"http://127.0.0.1:9/alice"}"#)
            _ = try await H.send(client, .post, "/v1/webhooks", token: h.bob, json: #"{"url":"http://127.0.0.1:9/bob"}"#)
            _ = try await H.send(client, .post, "/v1/webhooks", token: h.ops,
                                 json: #"{"url":"http://127.0.0.1:9/ops","events":["agent.lost","job.cancelled"],"farm":true}"#)
            var r = try await H.send(client, .post, "/v1/jobs", token: h.alice,
                                     json: #"{"input":"\#(h.clip)","settings":{"codec":"libx264"},"webhooks":[{"url":"http://127.0.0.1:9/job","events":["job.cancelled"]}]}"#)
            let id = try #require(r.json()?["id"] as? String, "\(r.text)")
            r = try await H.send(client, .delete, "/v1/jobs/\(id)", token: h.alice)
            #expect(r.status == 200, "\(r.text)")
        }
        await store.event(job: nil, kind: "agent", "a7 gone: no heartbeat for 4 s")
        #expect(try await store.feedWebhooks() > 0)
        #expect(try await store.feedWebhooks() == 0, "the cursor moved past what was read")
        let due = try await store.dueDeliveries(limit: 100)
        func events(_ path: String) -> [String] {
            due.filter { $0.url.hasSuffix(path) }.map(\.event.rawValue).sorted()
        }
        #expect(events("/alice") == ["job.cancelled", "job.queued"])
        #expect(events("/bob").isEmpty)
        #expect(events("/ops") == ["agent.lost", "job.cancelled"])
        #expect(events("/job") == ["job.cancelled"])
        // The job webhook came without a secret: its deliveries are not signed.
        #expect(due.filter { $0.url.hasSuffix("/job") }.allSatisfy { $0.secret == nil })
        #expect(due.filter { $0.url.hasSuffix("/alice") }.allSatisfy { $0.secret?.hasPrefix("whsec_") == true })
        let lost = try #require(due.first { $0.event == .agentLost })
        let payload = try APIJSON.decoder.decode(WebhookPayload.self, from: lost.body)
        #expect(payload.agent?.name == "a7" && payload.agent?.reason == "no heartbeat for 4 s" && payload.id == lost.id && payload.job == nil)
    }
}
