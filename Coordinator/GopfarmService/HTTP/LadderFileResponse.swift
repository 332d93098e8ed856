import Foundation
import GopfarmAPI
import Hummingbird

/// The response for one file of a ladder job's output (`GET /v1/jobs/{id}/files/{path…}`, and
/// the dashboard's `/jobs/{id}/files/{path…}`): streamed from disk like the single-file
/// output download, with the Content-Type a player expects. Like that download, it answers
/// whole files (no Range requests): segments are small.
enum LadderFileResponse {
    /// `headOnly`: HEAD, the same headers without the body (a CDN or player checking a file).
    static func make(service: FarmService, id: String, context: FarmRequestContext, caller: Caller, headOnly: Bool = false) async throws -> Response {
        var segments: [String] = []
        for raw in context.parameters.getCatchAll() {
            guard let decoded = String(raw).removingPercentEncoding else {
                throw APIError(.badRequest, "the file path is not valid percent-encoding")
            }
            segments.append(decoded)
        }
        let file = try await service.reader.outputFile(id, path: segments, caller: caller)
        var headers = HTTPFields()
        headers[.contentType] = LadderFilePath.contentType(file.path)
        headers[.contentLength] = String(file.size)
        headers[.xContentTypeOptions] = "nosniff"
        if headOnly { return Response(status: .ok, headers: headers) }
        let body = try await FileIO().loadFile(path: file.path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }
}
