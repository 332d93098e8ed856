import Foundation
import GopfarmAPI
import GopfarmCommon
import GRDB
import Hummingbird
import NIOCore
import NIOHTTP1

/// Every error leaves as `{"error": "one sentence"}` JSON: the service's `APIError`s, and
/// Hummingbird's own answers too: an unknown path (404), a known path asked with another method
/// (405 with `Allow`), a body over the route's limit (413), a body that does not decode (400);
/// anything unexpected is a 500 with a sentence (and a log line), never an empty body. The one
/// page: a browser's GET (it accepts text/html) of a dashboard path nothing answers is the
/// dashboard's HTML 404.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError where error.status.code >= 400 {
            if error.status == .notFound, error.body == nil {
                let allowed = routes.allowed(for: request.uri.path)
                guard allowed.isEmpty else {
                    let list = allowed.map(\.rawValue).joined(separator: ", ")
                    var headers = HTTPFields()
                    headers[.allow] = list
                    throw ErrorResponse(status: .methodNotAllowed, message: "\(request.uri.path) does not take \(request.method); it takes \(list)",
                                        headers: headers)
                }
                if request.method == .get || request.method == .head, DashboardRoutes.isPage(request.uri.path),
                   request.headers[.accept]?.contains("text/html") == true {
                    return DashboardRoutes.missingPage(request.uri.path)
                }
                throw APIError(.notFound, "no such route: \(request.method) \(request.uri.path)")
            }
            throw Self.apiError(status: error.status, message: error.body, context: context)
        } catch is DecodingError {
            throw APIError(.badRequest, "the request body is not valid JSON of the expected shape")
        } catch is HTTPParserError {
            // A body the HTTP parser gave up on (broken chunking) surfaces here, as the route
            // reads it; the same 400 as a request it could not read at all.
            throw APIError(.badRequest, MalformedRequestBody.sentence)
        } catch is NIOTooManyBytesError {
            throw Self.apiError(status: .contentTooLarge, message: nil, context: context)
        } catch let error as HTTPResponseError {
            throw error
        } catch is CancellationError {
            throw ErrorResponse(status: .serviceUnavailable, message: "the coordinator is shutting down")
        } catch where Self.isDiskFull(error) {
            context.logger.error("\(request.method) \(request.uri.path) failed: the disk is full: \(error)")
            throw APIError(.insufficientStorage, "\(DiskFull.sentence): nothing more can be stored until its operator frees space in its data directory")
        } catch {
            context.logger.error("\(request.method) \(request.uri.path) failed: \(error)")
            throw ErrorResponse(status: .internalServerError, message: "the coordinator failed on this request; its log says why")
        }
    }

    /// No space left on the coordinator's disk, however it surfaced (Foundation's file writes,
    /// a POSIX call, SQLite).
    static func isDiskFull(_ error: any Error) -> Bool {
        if let cocoa = error as? CocoaError, cocoa.code == .fileWriteOutOfSpace { return true }
        if let posix = error as? POSIXError, posix.code == .ENOSPC { return true }
        if let db = error as? DatabaseError, db.resultCode == .SQLITE_FULL { return true }
        return false
    }

    /// Hummingbird's own refusals, as the API's errors with a sentence.
    static func apiError(status: HTTPResponse.Status, message: String?, context: Context) -> APIError {
        switch status.code {
        case 401: APIError(.unauthorized, message ?? "missing or unknown bearer token")
        case 403: APIError(.forbidden, message ?? "this token may not do that")
        case 404: APIError(.notFound, message ?? "not found")
        case 409: APIError(.conflict, message ?? "that conflicts with the farm's state")
        case 413: APIError(.tooLarge, message ?? "the request body is over the \(context.maxUploadSize) bytes this route accepts")
        default: APIError(.badRequest, message ?? "the request is malformed (\(status.reasonPhrase.lowercased()))")
        }
    }
}
