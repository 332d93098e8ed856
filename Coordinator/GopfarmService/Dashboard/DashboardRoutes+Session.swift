import Foundation
import GopfarmAPI
import HTTPTypes
import Hummingbird

/// Log-in, log-out and the wrappers that give each page its session and each form its CSRF check.
extension DashboardRoutes {
    static let loginCookie = "gopfarm_login"

    /// The request's live session, with the caller its token resolves to now.
    func session(_ request: Request) async -> DashboardSession? {
        guard let id = SessionCookie.value(in: request.headers[.cookie]), let s = sessions.session(id),
              let caller = try? await service.store.caller(token: s.token) else { return nil }
        return DashboardSession(id: s.id, csrf: s.csrf, caller: caller)
    }

    func requireSession(_ request: Request) async throws -> DashboardSession {
        guard let s = await session(request) else { throw APIError(.unauthorized, "log in to the dashboard first") }
        return s
    }

    /// The API's refusal (`FarmRequestContext.requireCaller(.ops)`), in the dashboard's words.
    static func requireOps(_ s: DashboardSession, _ what: String) throws(APIError) {
        guard s.caller.role >= .ops else {
            throw APIError(.forbidden, "\(what) needs the ops role; you are logged in as \(s.caller.role.rawValue)")
        }
    }

    /// Cookies are `Secure` when a TLS-terminating proxy in front says the browser used HTTPS.
    func secure(request: Request?) -> Bool {
        request?.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// A GET page: without a session it sends the browser to the log-in; an `APIError` is a page
    /// with its status and sentence (another producer's job is a 404, as in the API).
    func page(_ handler: @escaping Handler) -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            guard let s = await session(request) else { return DashboardResponse.redirect("/login") }
            do { return try await handler(request, context, s) } catch let error as APIError {
                return problem(error, s)
            }
        }
    }

    /// A form's POST: the session and its CSRF token (the `csrf` field) are both required.
    func form(_ handler: @escaping @Sendable (Request, Context, DashboardSession, FormBody) async throws -> Response)
        -> @Sendable (Request, Context) async throws -> Response {
        { request, context in
            guard let s = await session(request) else {
                return problem(APIError(.unauthorized, "your session has ended; log in again"), nil)
            }
            var request = request
            let body = try await request.collectBody(upTo: 64 << 10)
            let form = FormBody(String(buffer: body))
            guard let sent = form["csrf"], Self.same(sent, s.csrf) else {
                return problem(APIError(.forbidden, "this form lacks this session's CSRF token; reload the page and try again"), s)
            }
            do { return try await handler(request, context, s, form) } catch let error as APIError {
                return problem(error, s)
            }
        }
    }

    func problem(_ error: APIError, _ s: DashboardSession?) -> Response {
        let model = DashboardModels.Problem(layout: .init(title: "Error \(error.statusCode)", section: "", session: s),
                                            status: error.statusCode, message: error.message)
        return DashboardResponse.html(DashboardResponse.render(model, "problem"), status: .init(code: error.statusCode))
    }

    /// The log-in form, with a one-off token in a SameSite=Strict cookie and a hidden field: a
    /// POST from another site carries neither, so nobody can log a browser into their account;
    /// the token is signed, so a pair this coordinator did not make is refused too.
    func loginPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        if error == nil, await session(request) != nil { return DashboardResponse.redirect("/") }
        let nonce = sessions.loginNonce()
        let model = DashboardModels.Login(layout: .init(title: "Log in", section: "", session: nil), csrf: nonce, error: error)
        let cookie = "\(Self.loginCookie)=\(nonce); Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict\(secure(request: request) ? "; Secure" : "")"
        return DashboardResponse.html(DashboardResponse.render(model, "login"), status: status, cookies: [cookie])
    }

    func logIn(_ request: Request, _ context: Context) async throws -> Response {
        var request = request
        let form = FormBody(String(buffer: try await request.collectBody(upTo: 16 << 10)))
        let nonce = SessionCookie.value(of: Self.loginCookie, in: request.headers[.cookie])
        guard let nonce, let sent = form["csrf"], Self.same(sent, nonce), sessions.madeHere(nonce) else {
            return await loginPage(request, error: "The log-in form expired or came from another site; try again.", status: .forbidden)
        }
        guard let token = form.text("token"), token.count <= 200,
              let caller = try? await service.store.caller(token: token) else {
            return await loginPage(request, error: "The coordinator does not know this token.", status: .unauthorized)
        }
        let s = sessions.open(token: token)
        await service.audit("dashboard", "\(caller.name) logged in")
        return DashboardResponse.redirect("/", cookies: [
            SessionCookie.set(s.id, maxAge: sessions.lifetime, secure: secure(request: request)),
            "\(Self.loginCookie)=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict",
        ])
    }

    /// Compares secrets in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
