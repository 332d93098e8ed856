import Hummingbird

/// Every HEAD answer leaves without a body, refusals included: the router answers HEAD on each
/// GET route with the GET's status and headers (`autoGenerateHeadEndpoints`), but an error
/// thrown on the way (401, 404, 405) would still carry its JSON, which a client reads as the
/// start of the next answer.
struct HeadMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        do {
            return try await next(request, context).createHeadResponse()
        } catch let error as any HTTPResponseError {
            return try error.response(from: request, context: context).createHeadResponse()
        }
    }
}
