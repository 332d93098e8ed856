import GopfarmCommon
import Hummingbird

/// Counts every HTTP answer by status class and times it, outermost in the router, so refusals
/// (401, 404, 405, 413 …) turned into answers by the inner middleware count too.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let metrics: FarmMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = MonotonicClock.now()
        func seconds() -> Double { MonotonicClock.now() - started }
        do {
            let response = try await next(request, context)
            metrics.recordRequest(status: response.status.code, seconds: seconds())
            return response
        } catch {
            metrics.recordRequest(status: (error as? any HTTPResponseError)?.status.code ?? 500, seconds: seconds())
            throw error
        }
    }
}
