import Foundation
import GopfarmAPI
@testable import GopfarmService
import Hummingbird
import HummingbirdTesting
import Testing

/// Tokens in process: unique names, a list without secrets, revocation and expiry (each a 401
/// with its own sentence), and `lastUsedAt`.
@Suite("Token hygiene")
struct TokenHygieneTests {
    typealias H = APIRouterTests

    @Test("a second token of one name is refused with a sentence; the first keeps its jobs alone")
    func uniqueNames() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let again = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"alice","role":"producer"}"#)
            #expect(again.status == 409, "\(again.text)")
            #expect(again.error == "a token named 'alice' exists already (jobs belong to the name, so a second one would see the first one's jobs); pick another name")
            let other = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"alice2","role":"producer"}"#)
            #expect(other.status == 201, "\(other.text)")
            // Alice and alice would read as one person in every list.
            let cased = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"Alice","role":"producer"}"#)
            #expect(cased.status == 409 && cased.error?.hasPrefix("a token named 'alice' exists already") == true, "\(cased.text)")
        }
    }

    @Test("the only active admin token cannot be revoked: no one could create tokens after it")
    func lastAdmin() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let refused = try await H.send(client, .delete, "/v1/tokens/admin", token: h.admin)
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused.error == "'admin' is the only active admin token, and only an admin creates tokens; create another first (gopfarm token create --role admin --name NAME), then revoke this one")
            #expect(try await H.send(client, .get, "/v1/tokens", token: h.admin).status == 200)
            // With a second admin, the first may go.
            let made = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"root2","role":"admin"}"#)
            let second = try APIJSON.decoder.decode(TokenCreated.self, from: Data(made.text.utf8))
            #expect(try await H.send(client, .delete, "/v1/tokens/admin", token: second.token).status == 200)
            #expect(try await H.send(client, .delete, "/v1/tokens/root2", token: second.token).status == 409)
        }
    }

    @Test("ops list tokens without secrets; admins revoke; a revoked token is a 401 that says so")
    func listAndRevoke() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            #expect(try await H.send(client, .get, "/v1/jobs", token: h.alice).status == 200)
            #expect(try await H.send(client, .get, "/v1/tokens", token: h.alice).status == 403)
            let list = try await H.send(client, .get, "/v1/tokens", token: h.ops)
            #expect(list.status == 200, "\(list.text)")
            let views = try APIJSON.decoder.decode([TokenView].self, from: Data(list.text.utf8))
            #expect(views.map(\.name) == ["admin", "alice", "bob", "olga"])
            #expect(views.allSatisfy { $0.state == .active && $0.expiresAt == nil })
            #expect(views.first { $0.name == "alice" }?.lastUsedAt != nil)
            #expect(views.first { $0.name == "bob" }?.lastUsedAt == nil)
            for secret in [h.admin, h.alice, h.bob, h.ops] { #expect(!list.text.contains(secret)) }
            #expect(!list.text.contains("hash"))

            #expect(try await H.send(client, .delete, "/v1/tokens/alice", token: h.ops).status == 403)
            let revoked = try await H.send(client, .delete, "/v1/tokens/alice", token: h.admin)
            #expect(revoked.status == 200, "\(revoked.text)")
            let refused = try await H.send(client, .get, "/v1/jobs", token: h.alice)
            #expect(refused.status == 401 && refused.error == "the token 'alice' was revoked", "\(refused.status) \(refused.text)")
            #expect(try await H.send(client, .delete, "/v1/tokens/alice", token: h.admin).status == 404)
            // The name stays taken: its jobs still carry it.
            #expect(try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"alice","role":"producer"}"#).status == 409)
            let after = try APIJSON.decoder.decode([TokenView].self, from: Data(try await H.send(client, .get, "/v1/tokens", token: h.ops).text.utf8))
            #expect(after.first { $0.name == "alice" }?.state == .revoked)
        }
    }

    @Test("a token made to expire works until then, and is a 401 that says so after")
    func expiry() async throws {
        let h = try await H.Harness()
        defer { h.remove() }
        try await h.test { client in
            let made = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"temp","role":"producer","expiresInSeconds":5}"#)
            #expect(made.status == 201, "\(made.text)")
            let created = try APIJSON.decoder.decode(TokenCreated.self, from: Data(made.text.utf8))
            #expect(created.expiresAt != nil)
            #expect(try await H.send(client, .get, "/v1/jobs", token: created.token).status == 200)
            // Until it expires (5 s leave room for a loaded machine's first request), then past it
            // (expiresAt is written to the second).
            let expiresAt = try #require(created.expiresAt)
            try await Task.sleep(for: .milliseconds(Int(max(0, expiresAt.timeIntervalSinceNow) * 1000) + 1200))
            let late = try await H.send(client, .get, "/v1/jobs", token: created.token)
            #expect(late.status == 401 && (late.error ?? "").hasPrefix("the token 'temp' expired at "), "\(late.status) \(late.text)")
            let bad = try await H.send(client, .post, "/v1/tokens", token: h.admin, json: #"{"name":"never","role":"producer","expiresInSeconds":0}"#)
            #expect(bad.status == 422, "\(bad.text)")
        }
    }

    @Test("durations as typed on the command line")
    func durations() throws {
        #expect(try DurationText.seconds("30d") == 30 * 86400)
        #expect(try DurationText.seconds("1.5h") == 5400)
        #expect(try DurationText.seconds("90m") == 5400)
        #expect(try DurationText.seconds("45") == 45)
        for bad in ["", "d", "-3d", "3 days", "nan"] {
            #expect(throws: DurationText.Invalid.self, "\(bad)") { try DurationText.seconds(bad) }
        }
    }
}
