import Foundation
import GopfarmAPI
import Hummingbird

/// An answer of the HTTP layer itself (405, 500) in the API's error shape, `{"error": …}`; the
/// service's own refusals are `APIError`s.
struct ErrorResponse: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = (try? APIJSON.encoder.encode(APIErrorBody(error: message))) ?? Data()
        body.append(0x0a)
        var headers = self.headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
