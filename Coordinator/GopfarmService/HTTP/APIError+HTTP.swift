import Foundation
import GopfarmAPI
import Hummingbird

extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Self.body(message)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// `{"error": "sentence"}` and a line end: every error answer's body, the router's and those
    /// written below it (an unreadable request, a connection over the limit).
    static func body(_ sentence: String) -> Data {
        var body = (try? APIJSON.encoder.encode(APIErrorBody(error: sentence))) ?? Data()
        body.append(0x0a)
        return body
    }
}
