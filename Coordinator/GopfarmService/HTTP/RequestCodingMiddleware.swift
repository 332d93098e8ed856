import Hummingbird

/// Request bodies come as they are or chunked. A body sent with another transfer coding
/// (`Transfer-Encoding: gzip, chunked`) or content coding (`Content-Encoding: gzip`) would be
/// stored still compressed (an upload that is no video, a JSON body that does not parse), so it
/// is refused before it is read: 501 for a transfer coding (RFC 9112 §6.1), 415 for a content coding.
struct RequestCodingMiddleware: RouterMiddleware {
    typealias Context = FarmRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let coding = Self.other(request.headers[values: .transferEncoding], than: "chunked") {
            throw ErrorResponse(status: .notImplemented,
                                message: "the coordinator takes request bodies as they are or chunked, not with the transfer coding '\(coding)'")
        }
        if let coding = Self.other(request.headers[values: .contentEncoding], than: "identity") {
            throw ErrorResponse(status: .unsupportedMediaType,
                                message: "the coordinator takes request bodies uncompressed, not with the content coding '\(coding)'")
        }
        return try await next(request, context)
    }

    /// The first coding in these header values that is not `allowed` (case-insensitive).
    static func other(_ values: [String], than allowed: String) -> String? {
        values.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .first { !$0.isEmpty && $0 != allowed }
    }
}
