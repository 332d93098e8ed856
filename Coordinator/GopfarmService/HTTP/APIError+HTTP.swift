import Foundation
import GopfarmAPI
import Hummingbird

extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: statusCode) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = (try? APIJSON.encoder.encode(APIErrorBody(error: message))) ?? Data()
        body.append(0x0a)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if kind == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
