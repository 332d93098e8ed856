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
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            if token.count <= 200, let verdict = try? await store.check(token: token) {
                if case .caller(let caller) = verdict { context.caller = caller } else { context.tokenRefusal = verdict.refusal }
            }
        }
        return try await next(request, context)
    }
}

/// Every error leaves as `{"error": …}` JSON: Hummingbird's own (unknown route, body too
/// large) included, and anything unexpected is a 500 with a sentence, never a dropped connection.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let kind: APIError.Kind = switch error.status.code {
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 413: .tooLarge
            case 409: .conflict
            default: .badRequest
            }
            let message = error.body ?? (error.status.code == 404 ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase.lowercased())
            throw APIError(kind, message)
        } catch is DecodingError {
            throw APIError(.badRequest, "the request body is not valid JSON of the expected shape")
        }
    }
}
