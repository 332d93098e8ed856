import Foundation
import Hummingbird

/// Resolves `Authorization: Bearer TOKEN` to a caller (tokens are looked up by their hash).
/// Routes decide which role they need; a request without a valid token gets a caller of nil
/// (and, for a revoked or expired token, the sentence its 401 says).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let store: JobStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // The scheme is case-insensitive (RFC 9110): "bearer" too.
        if let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " {
            let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            if token.count <= 200, let verdict = try? await store.check(token: token) {
                if case .caller(let caller) = verdict {
                    context.caller = caller
                    context.token = token
                } else {
                    context.tokenRefusal = verdict.refusal
                }
            }
        }
        return try await next(request, context)
    }
}
