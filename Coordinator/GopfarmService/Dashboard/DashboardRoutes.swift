import Foundation
import GopfarmAPI
import GopfarmCommon
import HTTPTypes
import Hummingbird

/// The web dashboard at `/`: server-rendered pages over the same `FarmService` reads the API
/// uses. A pasted token is exchanged for a session cookie (HttpOnly, SameSite=Strict); every
/// POST carries the session's CSRF token (a hidden field, or `X-CSRF-Token` for the upload).
/// The JSON API under `/v1` keeps bearer tokens only: a cookie never authorizes it.
public struct DashboardRoutes: Sendable {
    let service: FarmService
    let sessions: DashboardSessions
    var pages: DashboardPages { DashboardPages(service: service) }
    typealias Context = FarmRequestContext
    typealias Handler = @Sendable (Request, Context, DashboardSession) async throws -> Response

    public init(service: FarmService, sessions: DashboardSessions = DashboardSessions()) {
        self.service = service
        self.sessions = sessions
    }

    public func register(on router: Router<FarmRequestContext>) {
        router.get("/static/dashboard.css") { _, _ in DashboardResponse.asset(DashboardStyle.css, type: "text/css; charset=utf-8") }
        router.get("/static/dashboard.js") { _, _ in DashboardResponse.asset(DashboardScript.js, type: "text/javascript; charset=utf-8") }
        router.get("/login") { request, _ in await loginPage(request) }
        router.post("/login") { request, context in try await logIn(request, context) }
        router.post("/logout", use: form { request, _, s, _ in
            sessions.close(s.id)
            return DashboardResponse.redirect("/login", cookies: [SessionCookie.clear(secure: secure(request: request))])
        })

        router.get("/", use: page { request, _, s in
            let page = request.uri.queryParameters.get("page").flatMap(Int.init).map { min(max($0, 1), 100_000) } ?? 1
            return DashboardResponse.html(DashboardResponse.render(try await pages.jobs(s, page: page), "jobs"))
        })
        // What the script reads to keep a page live (each with the page's own rules): the
        // unfinished rows of a jobs list as one event stream, the agents table as JSON.
        router.get("/live/jobs") { request, _ in
            let s = try await requireSession(request)
            let ids = (request.uri.queryParameters.get("ids") ?? "").split(separator: ",").map(String.init)
            return try await JobListEvents(service: service, ids: ids, caller: s.caller).response()
        }
        router.get("/live/agents") { request, _ in
            let s = try await requireSession(request)
            try Self.requireOps(s, "the agents page")
            return try json(pages.agentsLive(s))
        }
        router.get("/jobs/{id}", use: page { _, context, s in
            DashboardResponse.html(DashboardResponse.render(try await pages.job(s, id: try pathParameter("id", context)), "job"))
        })
        // A producer cancels its own job, ops anyone's: the API's rule (`FarmService.cancel`).
        router.post("/jobs/{id}/cancel", use: form { _, context, s, _ in
            let id = try pathParameter("id", context)
            _ = try await service.cancel(id, caller: s.caller)
            return DashboardResponse.redirect("/jobs/\(id)")
        })
        router.get("/jobs/{id}/events") { request, context in
            let s = try await requireSession(request)
            return try await ProgressEvents(service: service, job: try pathParameter("id", context), caller: s.caller).response()
        }
        router.get("/jobs/{id}/report", use: page { _, context, s in
            // The report is the coordinator's own self-contained HTML (inline style and charts).
            DashboardResponse.report(try await service.reader.report(try pathParameter("id", context), caller: s.caller))
        })
        router.get("/jobs/{id}/output", use: page { _, context, s in
            let (path, name) = try await service.reader.outputPath(try pathParameter("id", context), caller: s.caller)
            let body = try await FileIO().loadFile(path: path, context: context)
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = ContentDisposition.attachment(name)
            return Response(status: .ok, headers: headers, body: body)
        })
        router.get("/jobs/{id}/files/**", use: page { _, context, s in
            try await LadderFileResponse.make(service: service, id: try pathParameter("id", context), context: context, caller: s.caller)
        })
        router.get("/jobs/{id}/thumbnails/{name}", use: page { _, context, s in
            let data = try await service.reader.thumbnail(try pathParameter("id", context), name: try pathParameter("name", context), caller: s.caller)
            var headers = HTTPFields()
            headers[.contentType] = "image/jpeg"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        })
        // Agents are ops' business, as `/v1/agents` and `gopfarm agents` are: a producer sees
        // neither the page nor its link.
        router.get("/agents", use: page { request, _, s in
            try Self.requireOps(s, "the agents page")
            var model = try await pages.agents(s)
            let q = request.uri.queryParameters
            if let name = q.get("drained") {
                model.layout.flash = "\(name) is draining: it finishes the work it holds and takes no more until resumed."
            } else if let name = q.get("resumed") {
                model.layout.flash = "\(name) takes work again."
            }
            return DashboardResponse.html(DashboardResponse.render(model, "agents"))
        })
        for (verb, on) in [("drain", true), ("resume", false)] {
            router.post("/agents/{name}/\(verb)", use: form { _, context, s, _ in
                try Self.requireOps(s, "draining and resuming agents")
                let name = try pathParameter("name", context)
                guard !name.isEmpty, name.count <= 200 else { throw APIError(.badRequest, "agent names have 1 to 200 characters") }
                service.dispatcher.drain(agent: name, on)
                await service.audit("agent", "\(name) \(on ? "drained" : "resumed") by \(s.caller.name) (dashboard)")
                // The dispatcher takes it on its next turn: the page that follows should show it.
                var waited = 0
                while waited < 40, service.dispatcher.snapshot.agents.contains(where: { $0.name == name && ($0.state == .draining) != on }) {
                    waited += 1
                    try await Task.sleep(for: .milliseconds(25))
                }
                let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return DashboardResponse.redirect("/agents?\(on ? "drained" : "resumed")=\(encoded)")
            })
        }
        router.get("/submit", use: page { _, _, s in
            DashboardResponse.html(DashboardResponse.render(await pages.submit(s), "submit"))
        })
        router.post("/submit", use: form { _, _, s, form in
            do {
                let body = try await PresetResolver(store: service.store).apply(try DashboardPages.submissionBody(form), caller: s.caller)
                let view = try await service.submit(try StrictJSON.decodeSubmission(body), caller: s.caller)
                return DashboardResponse.redirect("/jobs/\(view.id)")
            } catch let error as APIError {
                return DashboardResponse.html(DashboardResponse.render(await pages.submit(s, form: form, error: error.message), "submit"),
                                              status: .init(code: error.statusCode))
            }
        })
        router.post("/uploads") { request, _ in
            let s = try await requireSession(request)
            guard let sent = request.headers[.xCSRFToken], Self.same(sent, s.csrf) else {
                throw APIError(.forbidden, "the upload lacks this session's CSRF token; reload the page")
            }
            return try json(try await UploadReceiver(service: service).receive(request, caller: s.caller), status: .created)
        }
    }

    /// Whether a path is the dashboard's (a page a browser asks for), not the JSON API's or the
    /// probes' (`/v1/…`, `/metrics`, `/healthz`).
    static func isPage(_ path: String) -> Bool {
        !(path == "/v1" || path.hasPrefix("/v1/") || path == "/metrics" || path == "/healthz")
    }

    /// A browser's GET of a dashboard path nothing answers (`/jobs/ID/files/`, a mistyped
    /// link): a page saying so, as every dashboard error is, instead of the API's JSON.
    static func missingPage(_ path: String) -> Response {
        let error = APIError(.notFound, "there is no page at \(path)")
        let model = DashboardModels.Problem(layout: .init(title: "Error 404", section: "", session: nil), status: 404, message: error.message)
        return DashboardResponse.html(DashboardResponse.render(model, "problem"), status: .notFound)
    }
}

extension HTTPField.Name {
    static let xCSRFToken = Self("X-CSRF-Token")!
}
