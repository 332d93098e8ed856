import Foundation
import GopfarmCommon
import GopfarmAPI
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceTestSupport
import Testing
import TestSupport

/// The web dashboard in process: the router `gopfarm serve` builds, over a real store, driven
/// by HummingbirdTesting. Log-in exchanges a token for a cookie, every POST needs the session's
/// CSRF token, producers see only their own jobs, log-out ends the session, and the cookie never
/// opens the JSON API. What a browser does (uploads, live progress) is DashboardBrowserTests.
@Suite("Dashboard router in process")
struct DashboardRouterTests {
    typealias H = APIRouterTests.Harness

    struct Page {
        var status: Int
        var text: String
        var headers: HTTPFields
        var cookies: [String] { headers[values: .setCookie] }
        var location: String? { headers[.location] }
        /// The value of `<input type="hidden" name="csrf" value="…">`.
        var csrf: String? {
            guard let r = text.range(of: #"name="csrf" value=""#) else { return nil }
            return String(text[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, cookie: String? = nil,
                     form: [String: String]? = nil, headers extra: [HTTPField.Name: String] = [:], body: Data? = nil) async throws -> Page {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        for (k, v) in extra { headers[k] = v }
        let encoded = form.map { f in
            f.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        }
        let bytes = encoded.map { ByteBuffer(string: $0) } ?? body.map { ByteBuffer(bytes: $0) }
        let r = try await client.execute(uri: path, method: method, headers: headers, body: bytes)
        return Page(status: Int(r.status.code), text: String(buffer: r.body), headers: r.headers)
    }

    /// Logs in with `token`; returns the `Cookie` header value of the session and its CSRF token.
    static func logIn(_ client: any TestClientProtocol, _ token: String) async throws -> (cookie: String, csrf: String) {
        let form = try await send(client, .get, "/login")
        let nonce = try #require(form.cookies.first { $0.hasPrefix("gopfarm_login=") }?.split(separator: ";").first.map(String.init))
        let answer = try await send(client, .post, "/login", cookie: nonce, form: ["csrf": try #require(form.csrf), "token": token])
        #expect(answer.status == 303 && answer.location == "/", "\(answer.status) \(answer.text)")
        let cookie = try #require(answer.cookies.first { $0.hasPrefix("gopfarm_session=") }?.split(separator: ";").first.map(String.init))
        let page = try await send(client, .get, "/", cookie: cookie)
        return (cookie, try #require(page.csrf))
    }

    @Test("log-in sets an HttpOnly, SameSite=Strict session cookie; a wrong token or a missing form nonce does not")
    func logIn() async throws {
        let h = try await H()
        defer { h.remove() }
        try await h.test { client in
            #expect(try await Self.send(client, .get, "/").location == "/login")
            let form = try await Self.send(client, .get, "/login")
            #expect(form.status == 200 && form.text.contains(#"name="token""#))
            let nonce = try #require(form.cookies.first?.split(separator: ";").first.map(String.init))
            let csrf = try #require(form.csrf)

            let wrong = try await Self.send(client, .post, "/login", cookie: nonce, form: ["csrf": csrf, "token": "gf_nope"])
            #expect(wrong.status == 401 && wrong.text.contains("does not know this token") && !wrong.cookies.contains { $0.hasPrefix("gopfarm_session=") })
            let forged = try await Self.send(client, .post, "/login", form: ["csrf": csrf, "token": h.alice])
            #expect(forged.status == 403 && !forged.cookies.contains { $0.hasPrefix("gopfarm_session=") })
            // A matching pair the coordinator did not make (a cookie planted by a neighbouring
            // site, the same value posted): refused, as is a signed nonce with its random part changed.
            let planted = String(repeating: "ab", count: 32)
            let plantedPair = try await Self.send(client, .post, "/login", cookie: "gopfarm_login=\(planted)", form: ["csrf": planted, "token": h.alice])
            #expect(plantedPair.status == 403 && !plantedPair.cookies.contains { $0.hasPrefix("gopfarm_session=") })
            let altered = (csrf.hasPrefix("0") ? "1" : "0") + csrf.dropFirst()
            let alteredPair = try await Self.send(client, .post, "/login", cookie: "gopfarm_login=\(altered)", form: ["csrf": String(altered), "token": h.alice])
            #expect(csrf.contains(".") && alteredPair.status == 403 && !alteredPair.cookies.contains { $0.hasPrefix("gopfarm_session=") })

            let ok = try await Self.send(client, .post, "/login", cookie: nonce, form: ["csrf": csrf, "token": h.alice])
            #expect(ok.status == 303 && ok.location == "/")
            let session = try #require(ok.cookies.first { $0.hasPrefix("gopfarm_session=") })
            let attributes = Set(session.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.isSuperset(of: ["HttpOnly", "SameSite=Strict", "Path=/"]), "\(session)")
            #expect(!attributes.contains("Secure"))
            let id = session.split(separator: ";")[0].dropFirst("gopfarm_session=".count)
            #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))

            let behindTLS = try await Self.send(client, .post, "/login", cookie: nonce, form: ["csrf": csrf, "token": h.alice],
                                                headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(behindTLS.cookies.first { $0.hasPrefix("gopfarm_session=") }?.contains("; Secure") == true)

            let home = try await Self.send(client, .get, "/", cookie: String(session.split(separator: ";")[0]))
            #expect(home.status == 200 && home.text.contains("alice") && home.text.contains("<h1>Jobs</h1>"))
            #expect(home.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test("every POST without the session's CSRF token is refused with a 403")
    func csrf() async throws {
        let h = try await H()
        defer { h.remove() }
        let clip = h.clip
        try await h.test { client in
            let alice = try await Self.logIn(client, h.alice)
            let ops = try await Self.logIn(client, h.ops)
            let submit = ["source": "path", "path": clip, "codec": "libx264", "preset": "ultrafast"]
            for (cookie, path, form) in [(alice.cookie, "/submit", submit), (alice.cookie, "/logout", [:]),
                                         (ops.cookie, "/agents/a1/drain", [:]), (ops.cookie, "/agents/a1/resume", [:])] {
                for bad in [nil, (alice.csrf.hasPrefix("0") ? "1" : "0") + String(alice.csrf.dropFirst()), ops.csrf == alice.csrf ? "x" : (cookie == alice.cookie ? ops.csrf : alice.csrf)] {
                    var f = form
                    f["csrf"] = bad
                    let r = try await Self.send(client, .post, path, cookie: cookie, form: f)
                    #expect(r.status == 403 && r.text.contains("CSRF token"), "\(path) with \(bad ?? "none"): \(r.status)")
                }
            }
            #expect(try await h.service.store.jobs(owner: nil).isEmpty)
            let upload = try await Self.send(client, .post, "/uploads", cookie: alice.cookie, headers: [HTTPField.Name("X-Filename")!: "a.mp4"],
                                             body: Data("data".utf8))
            #expect(upload.status == 403 && upload.text.contains("CSRF token"))

            // With the token, the same forms work.
            var good = submit
            good["csrf"] = alice.csrf
            let made = try await Self.send(client, .post, "/submit", cookie: alice.cookie, form: good)
            #expect(made.status == 303 && made.location?.hasPrefix("/jobs/") == true, "\(made.status) \(made.text)")
            let drained = try await Self.send(client, .post, "/agents/a1/drain", cookie: ops.cookie, form: ["csrf": ops.csrf])
            #expect(drained.status == 303 && drained.location == "/agents?drained=a1")
            let byProducer = try await Self.send(client, .post, "/agents/a1/drain", cookie: alice.cookie, form: ["csrf": alice.csrf])
            #expect(byProducer.status == 403 && byProducer.text.contains("ops role"))
            let uploaded = try await Self.send(client, .post, "/uploads", cookie: alice.cookie,
                                               headers: [HTTPField.Name("X-Filename")!: "a.mp4", HTTPField.Name("X-CSRF-Token")!: alice.csrf],
                                               body: Data("data".utf8))
            #expect(uploaded.status == 201 && uploaded.text.contains("\"upload\""))
        }
    }

    @Test("a producer sees only their own jobs: another's job page is a 404; ops see all")
    func ownership() async throws {
        let h = try await H()
        defer { h.remove() }
        let clip = h.clip
        try await h.test { client in
            let submitted = try await APIRouterTests.send(client, .post, "/v1/jobs", token: h.bob,
                                                          json: #"{"input":"\#(clip)","outputName":"bobs-film.mp4","settings":{"codec":"libx264"}}"#)
            let id = try #require(submitted.json()?["id"] as? String)
            let alice = try await Self.logIn(client, h.alice)
            let bob = try await Self.logIn(client, h.bob)
            let ops = try await Self.logIn(client, h.ops)

            for path in ["/jobs/\(id)", "/jobs/\(id)/report", "/jobs/\(id)/output"] {
                let r = try await Self.send(client, .get, path, cookie: alice.cookie)
                #expect(r.status == 404 && r.text.contains("no job \(id)") && !r.text.contains("bobs-film"), "\(path): \(r.status)")
            }
            #expect(try await Self.send(client, .get, "/jobs/\(id)/events", cookie: alice.cookie).status == 404)
            #expect(!(try await Self.send(client, .get, "/", cookie: alice.cookie).text.contains(id)))
            // The list's live stream leaves out a job this producer may not see: with none left, a
            // 204 (EventSource then stops); without a session, a 401.
            let foreign = try await Self.send(client, .get, "/live/jobs?ids=\(id)", cookie: alice.cookie)
            #expect(foreign.status == 204 && foreign.text.isEmpty, "\(foreign.status) \(foreign.text)")
            #expect(try await Self.send(client, .get, "/live/jobs?ids=\(id)").status == 401)

            let own = try await Self.send(client, .get, "/jobs/\(id)", cookie: bob.cookie)
            #expect(own.status == 200 && own.text.contains("bobs-film.mp4") && own.text.contains(#"id="job-progress""#))
            let list = try await Self.send(client, .get, "/", cookie: ops.cookie)
            #expect(list.text.contains("/jobs/\(id)") && list.text.contains(">bob<"))
            #expect(try await Self.send(client, .get, "/jobs/\(id)", cookie: ops.cookie).status == 200)
            let agents = try await Self.send(client, .get, "/agents", cookie: ops.cookie)
            #expect(agents.text.contains("Cluster throughput") && agents.text.contains("Data directory: outputs "), "\(agents.text)")
            #expect(!agents.text.contains(">Drain<") && agents.text.contains("No agent is connected"))

            // Cancelling: not another producer's job (404), not without the CSRF token (403); the
            // owner's button cancels it, and a finished job offers no button.
            #expect(own.text.contains(#"action="/jobs/\#(id)/cancel""#))
            #expect(try await Self.send(client, .post, "/jobs/\(id)/cancel", cookie: alice.cookie, form: ["csrf": alice.csrf]).status == 404)
            #expect(try await Self.send(client, .post, "/jobs/\(id)/cancel", cookie: bob.cookie, form: [:]).status == 403)
            let cancelled = try await Self.send(client, .post, "/jobs/\(id)/cancel", cookie: bob.cookie, form: ["csrf": bob.csrf])
            #expect(cancelled.status == 303, "\(cancelled.status) \(cancelled.text)")
            let after = try await Self.send(client, .get, "/jobs/\(id)", cookie: bob.cookie)
            #expect(after.text.contains(#"id="job-state">cancelled<"#) && !after.text.contains("/cancel"), "\(after.text)")

            // The list's live stream, for the owner and for ops: the job's row as the list draws
            // it, final, and then the stream's end (a running job's row is DashboardBrowserTests').
            for cookie in [bob.cookie, ops.cookie] {
                let live = try await Self.send(client, .get, "/live/jobs?ids=\(id),nosuchjob,\(id)", cookie: cookie)
                #expect(live.status == 200 && live.headers[.contentType] == "text/event-stream", "\(live.status) \(live.text)")
                let events = live.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
                #expect(events.count == 1 && events[0].hasPrefix("event: row\ndata: {"), "\(live.text)")
                let data = events.first.map { Data($0.dropFirst("event: row\ndata: ".count).utf8) } ?? Data()
                let row = try JSONDecoder().decode(DashboardModels.JobRow.self, from: data)
                #expect(row.id == id && row.state == "cancelled" && !row.live && row.name == "bobs-film.mp4", "\(live.text)")
            }
        }
    }

    @Test("the agents page, its live JSON and its link are for ops only, as /v1/agents is")
    func agentsForOps() async throws {
        let h = try await H()
        defer { h.remove() }
        try await h.test { client in
            let alice = try await Self.logIn(client, h.alice)
            let ops = try await Self.logIn(client, h.ops)
            // The API's rule, for comparison: the dashboard must not show what it refuses.
            #expect(try await APIRouterTests.send(client, .get, "/v1/agents", token: h.alice).status == 403)

            let page = try await Self.send(client, .get, "/agents", cookie: alice.cookie)
            #expect(page.status == 403 && page.text.contains("<h1>403</h1>") && page.text.contains("needs the ops role"), "\(page.status) \(page.text)")
            #expect(!page.text.contains("Cluster throughput") && !page.text.contains("Data directory"))
            #expect(page.headers[.contentSecurityPolicy] != nil)
            let live = try await Self.send(client, .get, "/live/agents", cookie: alice.cookie)
            #expect(live.status == 403 && !live.text.contains("summary"), "\(live.status) \(live.text)")
            for path in ["/", "/submit"] {
                let p = try await Self.send(client, .get, path, cookie: alice.cookie)
                #expect(p.status == 200 && !p.text.contains(#"href="/agents""#), "a producer's \(path) links to the agents page")
            }

            let home = try await Self.send(client, .get, "/", cookie: ops.cookie)
            #expect(home.text.contains(#"<a href="/agents">Agents</a>"#))
            let opsPage = try await Self.send(client, .get, "/agents", cookie: ops.cookie)
            #expect(opsPage.status == 200 && opsPage.text.contains(#"id="agents-summary" data-live"#) && opsPage.text.contains(#"aria-current="page">Agents<"#))
            let json = try await Self.send(client, .get, "/live/agents", cookie: ops.cookie)
            #expect(json.status == 200 && json.headers[.contentType]?.hasPrefix("application/json") == true, "\(json.status) \(json.text)")
            let body = try JSONDecoder().decode(DashboardModels.AgentsLive.self, from: Data(json.text.utf8))
            #expect(body.agents.isEmpty && body.summary.first?.label == "Agents" && body.summary.first?.value == "0", "\(json.text)")
            #expect(body.summary.map(\.label).contains("Segments queued") && body.diskNote?.hasPrefix("Data directory: outputs ") == true)
            #expect(try await Self.send(client, .get, "/live/agents").status == 401)
        }
    }

    /// A mistyped or half-copied link (`/jobs/ID/files/`) is a page saying so, as every other
    /// dashboard error is; the API's unknown paths and methods keep their JSON answers.
    @Test("an unknown page is an HTML 404 for a browser; the API's unknown paths and programs get JSON")
    func unknownPage() async throws {
        let h = try await H()
        defer { h.remove() }
        try await h.test { client in
            let alice = try await Self.logIn(client, h.alice)
            let browser: [HTTPField.Name: String] = [.accept: "text/html,application/xhtml+xml,*/*;q=0.8"]
            for path in ["/jobs/abc/files/", "/no-such-page"] {
                let page = try await Self.send(client, .get, path, cookie: alice.cookie, headers: browser)
                #expect(page.status == 404 && page.headers[.contentType]?.hasPrefix("text/html") == true, "\(path): \(page.status)")
                #expect(page.text.contains("there is no page at \(path)"), "\(page.text.prefix(600))")
            }
            // A program (no text/html in Accept) gets JSON wherever it asks.
            #expect(try await Self.send(client, .get, "/no-such-page").headers[.contentType] == "application/json")
            let api = try await Self.send(client, .get, "/v1/no-such-route", cookie: alice.cookie, headers: browser)
            #expect(api.status == 404 && api.text.hasPrefix(#"{"error":"no such route: GET /v1/no-such-route"}"#), "\(api.text)")
            let method = try await Self.send(client, .get, "/v1/uploads")
            #expect(method.status == 405 && method.headers[.allow] == "POST", "\(method.status) \(method.text)")
            #expect(try await Self.send(client, .post, "/no-such-page", cookie: alice.cookie, form: ["csrf": alice.csrf]).status == 404)
        }
    }

    @Test("log-out ends the session, and the cookie never opens the JSON API")
    func logOut() async throws {
        let h = try await H()
        defer { h.remove() }
        try await h.test { client in
            let alice = try await Self.logIn(client, h.alice)
            #expect(try await Self.send(client, .get, "/v1/jobs", cookie: alice.cookie).status == 401)
            let out = try await Self.send(client, .post, "/logout", cookie: alice.cookie, form: ["csrf": alice.csrf])
            #expect(out.status == 303 && out.location == "/login")
            let cleared = try #require(out.cookies.first { $0.hasPrefix("gopfarm_session=") })
            #expect(cleared.hasPrefix("gopfarm_session=;") && cleared.contains("Max-Age=0"))
            // The old cookie, replayed, is nobody.
            #expect(try await Self.send(client, .get, "/", cookie: alice.cookie).location == "/login")
            #expect(try await Self.send(client, .get, "/submit", cookie: alice.cookie).location == "/login")
            #expect(try await Self.send(client, .post, "/submit", cookie: alice.cookie, form: ["csrf": alice.csrf]).status == 401)
        }
    }

    @Test("the submit form offers the producer's presets, the default chosen; a chosen preset's settings apply whole")
    func presets() async throws {
        let h = try await H()
        defer { h.remove() }
        let clip = h.clip
        try await h.test { client in
            let farm = try await APIRouterTests.send(client, .post, "/v1/presets", token: h.ops,
                                                     json: #"{"name":"web-1080p","farm":true,"settings":{"codec":"libx265","crf":28,"preset":"fast"}}"#)
            #expect(farm.status == 201, "\(farm.text)")
            let own = try await APIRouterTests.send(client, .post, "/v1/presets", token: h.alice,
                                                    json: #"{"name":"proxy","default":true,"settings":{"codec":"libx264","crf":30,"preset":"ultrafast"}}"#)
            #expect(own.status == 201, "\(own.text)")
            let alice = try await Self.logIn(client, h.alice)
            let page = try await Self.send(client, .get, "/submit", cookie: alice.cookie)
            #expect(page.text.contains(#"<option value="web-1080p">web-1080p (farm: libx265 crf 28 fast)</option>"#), "\(page.text)")
            #expect(page.text.contains(#"<option value="proxy" selected>proxy (yours: libx264 crf 30 ultrafast)</option>"#))

            let made = try await Self.send(client, .post, "/submit", cookie: alice.cookie, form: [
                "csrf": alice.csrf, "source": "path", "path": clip, "namedPreset": "web-1080p", "codec": "libx264", "crf": "10"])
            let id = try #require(made.location?.split(separator: "/").last.map(String.init), "\(made.status) \(made.text)")
            let row = try #require(try await h.service.store.job(id))
            #expect(row.decodedSubmission?.settings.codec == "libx265" && row.decodedSubmission?.settings.crf == 28)
            #expect(row.decodedSubmission?.preset == "web-1080p")

            let unknown = try await Self.send(client, .post, "/submit", cookie: alice.cookie, form: [
                "csrf": alice.csrf, "source": "path", "path": clip, "namedPreset": "nope"])
            #expect(unknown.status == 422 && unknown.text.contains("no preset &#39;nope&#39;") || unknown.text.contains("no preset 'nope'"),
                    "\(unknown.status) \(unknown.text)")
        }
    }
}

/// The dashboard's pure parts: formats, the throughput buckets, forms, cookies, sessions.
@Suite("Dashboard pieces")
struct DashboardPiecesTests {
    @Test("durations, sizes, counts, dates and estimates read as people write them")
    func formats() {
        #expect(DashboardFormat.duration(4.25) == "4.2 s" && DashboardFormat.duration(42) == "42 s")
        #expect(DashboardFormat.duration(185) == "3 min 05 s" && DashboardFormat.duration(7625) == "2 h 07 min")
        #expect(ByteSize.text(999) == "1.0 KiB" && ByteSize.text(4_300_000) == "4.1 MiB" && ByteSize.text(82_000_000_000) == "76.37 GiB")
        #expect(DashboardFormat.binaryBytes(64 << 30) == "64 GiB" && DashboardFormat.binaryBytes(1536 << 20) == "1.5 GiB")
        #expect(DashboardFormat.count(0) == "0" && DashboardFormat.count(999) == "999" && DashboardFormat.count(1000) == "1,000")
        #expect(DashboardFormat.count(1_234_567) == "1,234,567" && DashboardFormat.count(-4200) == "-4,200")
        #expect(DashboardFormat.iso(Date(timeIntervalSince1970: 1_796_384_102)) == "2026-12-04 11:35:02 UTC")
        let now = Date()
        #expect(DashboardFormat.eta(started: now.addingTimeInterval(-30), fraction: 0.25, now: now) == 90)
        #expect(DashboardFormat.eta(started: now, fraction: 0, now: now) == nil && DashboardFormat.eta(started: nil, fraction: 0.5, now: now) == nil)
        #expect(DashboardFormat.ago(now.addingTimeInterval(-125), now: now) == "2 min ago")
    }

    @Test("the job page names the preset a job was encoded with, after its codec")
    func presetFact() {
        let progress = JobView.Progress(segmentsDone: 0, segmentsTotal: 1, framesDone: 0, framesTotal: 10, fraction: 0, agents: 0, requeues: 0)
        var view = JobView(id: "j1", owner: "alice", state: .queued, priority: .normal, input: "/in.mp4", outputName: "out.mp4",
                           codec: "libx264", submittedAt: Date(), progress: progress)
        #expect(!DashboardRows.facts(view, now: Date()).contains { $0.label == "Preset" })
        view.preset = "web-1080p"
        let labels = DashboardRows.facts(view, now: Date()).map(\.label)
        #expect(labels.prefix(5) == ["Job", "Owner", "Input", "Codec", "Preset"], "\(labels)")
        #expect(DashboardRows.facts(view, now: Date()).first { $0.label == "Preset" }?.value == "web-1080p")
    }

    @Test("the job page's line says what a job being planned does: reading, decoding, waiting")
    func planningText() {
        let progress = JobView.Progress(segmentsDone: 2, segmentsTotal: 8, framesDone: 50, framesTotal: 200, fraction: 0.25, agents: 1, requeues: 0)
        var view = JobView(id: "j1", owner: "alice", state: .planning, priority: .normal, input: "/in.avi", outputName: "out.mp4",
                           codec: "libx264", submittedAt: Date(), progress: progress)
        #expect(DashboardRows.progressText(view) == "2 of 8 segments, 50 of 200 frames, 1 agent working")
        view.reading = JobView.Reading(step: .reading, fraction: 0.457)
        #expect(DashboardRows.progressText(view) == "Reading the input… 45%")
        view.reading = JobView.Reading(step: .decoding, fraction: 1)
        #expect(DashboardRows.progressText(view) == "Decoding the input for its frames' order… 100%")
        view.reading = nil
        view.waitingForAgents = true
        #expect(DashboardRows.progressText(view) == "Waiting for an agent that takes work")
    }

    @Test("throughput: completions fall in their minute, older than an hour or in the future nowhere")
    func throughput() {
        let now = Date()
        let t = ClusterThroughput(completions: [(now.addingTimeInterval(-10), 600), (now.addingTimeInterval(-30), 600),
                                                (now.addingTimeInterval(-61), 120), (now.addingTimeInterval(-3601), 999),
                                                (now.addingTimeInterval(5), 999)], now: now)
        #expect(t.rates.count == 60 && t.rates[59] == 20 && t.rates[58] == 2 && t.rates[..<58].allSatisfy { $0 == 0 })
        #expect(t.segments == 3 && t.frames == 1320 && t.peak == 20)
        #expect(t.svg().contains("<rect class=\"bar thr\""))
        #expect(ClusterThroughput(completions: [], now: now).svg().contains("no segment completed in the last hour"))
    }

    @Test("forms decode + and %XX, keep the first of a repeated field; the session cookie is found among others")
    func formsAndCookies() {
        let f = FormBody("token=gf_a%2Bb&name=two+words&csrf=1&csrf=2&empty=")
        #expect(f["token"] == "gf_a+b" && f["name"] == "two words" && f["csrf"] == "1" && f.text("empty") == nil && f["missing"] == nil)
        #expect(SessionCookie.value(in: "a=1; gopfarm_session=abc; b=2") == "abc")
        #expect(SessionCookie.value(in: "gopfarm_session=") == nil && SessionCookie.value(in: "gopfarm_sessionx=abc") == nil)
        #expect(DashboardRoutes.same("abc", "abc") && !DashboardRoutes.same("abc", "abd") && !DashboardRoutes.same("abc", "ab"))
    }

    @Test("sessions expire and close")
    func sessions() {
        let sessions = DashboardSessions(lifetime: 60)
        let now = Date()
        let s = sessions.open(token: "t", now: now)
        #expect(s.id.count == 64 && s.csrf.count == 64 && s.id != s.csrf)
        #expect(sessions.session(s.id, now: now.addingTimeInterval(59)) == s)
        #expect(sessions.session(s.id, now: now.addingTimeInterval(61)) == nil && sessions.count == 0)
        let t = sessions.open(token: "t", now: now)
        sessions.close(t.id)
        #expect(sessions.session(t.id, now: now) == nil)
    }

    @Test("every field of a repeated row reaches the page (the rows name their fields for Mustache themselves)")
    func rowsRender() {
        let session = DashboardSession(id: "sid", csrf: "csrf-token-1", caller: Caller(name: "olga", role: .ops))
        let agent = DashboardModels.Agent(name: "agent-name-1", state: "draining", busy: 3, slots: 4, slotPercent: "75", fps: "12.5",
                                          segments: "1,234", heartbeat: "beat-2 s ago", connected: "conn-5 min", version: "v9.8.7",
                                          draining: true, path: "agent%2Dname%2D1", canManage: true, csrf: "csrf-token-1")
        let agents = DashboardModels.Agents(layout: .init(title: "Agents", section: "agents", session: session), canManage: true,
                                            agents: [agent], empty: false, summary: [], diskNote: nil, throughput: "<svg></svg>", throughputNote: "")
        let page = DashboardResponse.render(agents, "agents")
        for text in [#"data-agent="agent-name-1""#, "a-draining", #"max="4" value="3""#, ">12.5<", ">1,234<", "beat-2 s ago", "conn-5 min",
                     "v9.8.7", #"action="/agents/agent%2Dname%2D1/resume" data-field="action""#, #"data-field="heartbeat">beat-2 s ago<"#,
                     #"class="badge a-draining" data-field="state">draining<"#, #"data-field="fps">12.5<"#, #"name="csrf" value="csrf-token-1"><button class="small""#, ">Resume<"] {
            #expect(page.contains(text), "agents page lacks \(text)")
        }

        var row = DashboardModels.JobRow(id: "job0id", name: "film-name.mp4", owner: "owner-x", state: "running", live: true,
                                         percent: "42.5%", percentValue: "42.5", segments: "3/8", agents: "agents-7", eta: "eta-3 min",
                                         submitted: "sub-1 h ago", submittedISO: "2026-01-02 03:04:05 UTC")
        row.showOwner = true
        let jobs = DashboardModels.Jobs(layout: .init(title: "Jobs", section: "jobs", session: session), counts: [], jobs: [row], empty: false,
                                        showOwner: true, range: "1–1 of 1", newer: nil, older: nil)
        let list = DashboardResponse.render(jobs, "jobs")
        for text in [#"data-job="job0id" data-live"#, #"href="/jobs/job0id">film-name.mp4<"#, "<td>owner-x</td>", "s-running", #"value="42.5""#,
                     ">42.5%<", ">3/8<", ">agents-7<", ">eta-3 min<", "sub-1 h ago", #"datetime="2026-01-02 03:04:05 UTC""#] {
            #expect(list.contains(text), "jobs page lacks \(text)")
        }

        let attempt = DashboardModels.Attempt(segment: 17, attempt: 2, agent: "agent-a", outcome: "superseded", start: "start-1.5 s", took: "took-3 s")
        let job = DashboardModels.Job(layout: .init(title: "x", section: "jobs", session: session), id: "j", name: "n", state: "done", live: false,
                                      percent: "100%", percentValue: "100", progressText: "", eta: "–", facts: [], error: nil, warnings: [],
                                      hasWarnings: false, done: true, hasReport: false, hasContactSheet: false, timeline: "<svg></svg>",
                                      attempts: [attempt], hasAttempts: true, moreAttempts: nil)
        let detail = DashboardResponse.render(job, "job")
        #expect(detail.contains(#"<td class="num">17</td><td class="num">2</td><td class="mono">agent-a</td><td><span class="badge o-superseded">superseded</span></td><td class="num">start-1.5 s</td><td class="num">took-3 s</td>"#),
                "\(detail)")
    }
}
