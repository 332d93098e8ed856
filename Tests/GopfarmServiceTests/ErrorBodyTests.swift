import Foundation
import GopfarmAPI
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceTestSupport
import Testing
import TestSupport

/// Every refusal of the HTTP API, the router's own included (unknown path, wrong method, body
/// too large, malformed body), is `{"error": "one sentence"}` as JSON with the right status;
/// a wrong method on a known path is a 405 naming the methods in `Allow`.
@Suite("Error bodies")
struct ErrorBodyTests {
    struct Refusal {
        var status: Int
        var error: String
        var allow: String?
    }

    /// Sends one request and checks the answer's shape: JSON, one key `error`, one sentence.
    static func refusal(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
                        body: ByteBuffer? = nil, headers extra: HTTPFields = [:]) async throws -> Refusal {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        let r = try await client.execute(uri: path, method: method, headers: headers, body: body)
        let text = String(buffer: r.body)
        #expect(r.headers[.contentType] == "application/json", "\(method) \(path): \(r.status) \(text)")
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        #expect(object?.count == 1, "\(method) \(path): \(text)")
        let error = try #require(object?["error"] as? String, "\(method) \(path): \(r.status) '\(text)'")
        #expect(!error.isEmpty && !error.contains("\n") && error.count < 300, "\(error)")
        return Refusal(status: Int(r.status.code), error: error, allow: r.headers[.allow])
    }

    /// HEAD is GET without the body on every GET route (monitors, CDNs, `curl -I`), and every
    /// HEAD answer, refusals included, has no body: one would be read as the next answer's start.
    @Test("HEAD answers every GET route with its status and headers, never a body")
    func head() async throws {
        let farm = try await TestFarmService("head", maxUploadBytes: 4 << 10)
        defer { farm.remove() }
        let producer = try await farm.service.store.createToken(name: "alice", role: .producer)
        try await Application(router: APIRouter(service: farm.service).build()).test(.router) { client in
            func head(_ path: String, token: String? = nil) async throws -> (Int, HTTPFields, Int) {
                var headers = HTTPFields()
                if let token { headers[.authorization] = "Bearer \(token)" }
                let r = try await client.execute(uri: path, method: .head, headers: headers, body: nil)
                return (Int(r.status.code), r.headers, r.body.readableBytes)
            }
            let get = try await client.execute(uri: "/healthz", method: .get, headers: [:], body: nil)
            var (status, headers, bytes) = try await head("/healthz")
            #expect(status == 200 && bytes == 0 && headers[.contentType] == "application/json"
                    && headers[.contentLength] == String(get.body.readableBytes), "\(status) \(headers)")
            (status, headers, bytes) = try await head("/metrics")
            #expect(status == 200 && bytes == 0 && headers[.contentType]?.hasPrefix("text/plain") == true)
            (status, _, bytes) = try await head("/v1/jobs", token: producer)
            #expect(status == 200 && bytes == 0)
            (status, headers, bytes) = try await head("/v1/jobs")
            #expect(status == 401 && bytes == 0 && headers[.wwwAuthenticate] == "Bearer", "\(status) \(headers)")
            (status, _, bytes) = try await head("/v1/jobs/nosuchjob", token: producer)
            #expect(status == 404 && bytes == 0)
            (status, _, bytes) = try await head("/v1/jobs/nosuchjob/events", token: producer)
            #expect(status == 404 && bytes == 0)
            (status, _, bytes) = try await head("/v2/nothing")
            #expect(status == 404 && bytes == 0)
            (status, headers, bytes) = try await head("/v1/agents/render-01/drain", token: producer)
            #expect(status == 405 && bytes == 0 && headers[.allow] == "POST", "\(status) \(headers)")
        }
    }

    @Test("401, 403, 404, 405, 400 and 413 are all JSON with one sentence")
    func everyStatus() async throws {
        let farm = try await TestFarmService("error-bodies", maxUploadBytes: 4 << 10)
        defer { farm.remove() }
        let producer = try await farm.service.store.createToken(name: "alice", role: .producer)
        try await Application(router: APIRouter(service: farm.service).build()).test(.router) { client in
            var r = try await Self.refusal(client, .get, "/v1/jobs")
            #expect(r.status == 401 && r.error == "missing or unknown bearer token")
            r = try await Self.refusal(client, .get, "/v1/agents", token: producer)
            #expect(r.status == 403 && r.error.contains("ops role"))

            r = try await Self.refusal(client, .get, "/v2/nothing")
            #expect(r.status == 404 && r.error == "no such route: GET /v2/nothing")
            r = try await Self.refusal(client, .get, "/v1/jobs/1/2/3/4")
            #expect(r.status == 404)

            r = try await Self.refusal(client, .put, "/v1/jobs", token: producer)
            #expect(r.status == 405 && r.allow == "GET, HEAD, POST", "\(r)")
            #expect(r.error == "/v1/jobs does not take PUT; it takes GET, HEAD, POST")
            r = try await Self.refusal(client, .post, "/healthz")
            #expect(r.status == 405 && r.allow == "GET, HEAD")
            r = try await Self.refusal(client, .delete, "/metrics")
            #expect(r.status == 405 && r.allow == "GET, HEAD")
            r = try await Self.refusal(client, .get, "/v1/agents/render-01/drain", token: producer)
            #expect(r.status == 405 && r.allow == "POST")
            r = try await Self.refusal(client, .patch, "/v1/jobs/abc", token: producer)
            #expect(r.status == 405 && r.allow == "DELETE, GET, HEAD")
            r = try await Self.refusal(client, .post, "/v1/agent-keys/some%2Fkey", token: producer)
            #expect(r.status == 405 && r.allow == "DELETE")

            r = try await Self.refusal(client, .post, "/v1/jobs", token: producer, body: ByteBuffer(string: "{\"input\": "))
            #expect(r.status == 400 && r.error == "the request body is not a JSON object")
            r = try await Self.refusal(client, .post, "/v1/jobs", token: producer)
            #expect(r.status == 400 && r.error == "the request needs a JSON body")

            // A coded body would be stored still compressed: refused before it is read.
            r = try await Self.refusal(client, .post, "/v1/jobs", token: producer, body: ByteBuffer(string: "{}"),
                                       headers: [.transferEncoding: "gzip, chunked"])
            #expect(r.status == 501 && r.error == "the coordinator takes request bodies as they are or chunked, not with the transfer coding 'gzip'", "\(r)")
            r = try await Self.refusal(client, .post, "/v1/uploads", token: producer, body: ByteBuffer(string: "x"),
                                       headers: [.contentEncoding: "gzip"])
            #expect(r.status == 415 && r.error == "the coordinator takes request bodies uncompressed, not with the content coding 'gzip'", "\(r)")

            // JSON routes take 1 MiB; uploads have the farm's limit (4 KiB here).
            let big = ByteBuffer(repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
            r = try await Self.refusal(client, .post, "/v1/jobs", token: producer, body: big)
            #expect(r.status == 413 && r.error == "the request body is over the 1048576 bytes this route accepts")
            r = try await Self.refusal(client, .post, "/v1/uploads", token: producer, body: ByteBuffer(repeating: 1, count: 5 << 10))
            #expect(r.status == 413 && r.error.contains("over the limit of 4096 bytes"), "\(r)")
        }
    }

    @Test("a request the HTTP parser cannot read is a 400 with the error body too (real socket)")
    func unreadableRequest() async throws {
        let farm = try await TestFarmService("error-unreadable")
        defer { farm.remove() }
        let app = Application(router: APIRouter(service: farm.service).build(), server: .farmHTTP1(),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for raw in ["GARBAGE\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"] {
                let answer = try RawHTTP.exchange(port: port, raw)
                #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(answer)")
                #expect(answer.contains("Content-Type: application/json\r\n"), "\(answer)")
                #expect(answer.hasSuffix("\r\n\r\n{\"error\":\"the request is not valid HTTP/1.1 and cannot be read\"}\n"), "\(answer)")
            }
            // A head the parser read, then a body it gave up on (broken chunking): the route that
            // reads the body gets the parser's error, and answers the same 400, not a 500.
            let chunked = try RawHTTP.exchange(port: port, "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                                   + "Authorization: Bearer \(try await farm.service.store.createToken(name: "p", role: .producer))\r\n"
                                                   + "Content-Type: application/json\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n")
            #expect(chunked.hasPrefix("HTTP/1.1 400 Bad Request\r\n") && chunked.contains("the request is not valid HTTP/1.1 and cannot be read"),
                    "\(chunked)")
            // A readable request on the same server is untouched.
            let ok = try RawHTTP.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n") && ok.hasSuffix("{\"status\":\"ok\"}\n"), "\(ok)")
        }
    }

    /// A full disk, however it surfaced, is a 507 with a sentence, not a 500 "its log says why"
    /// (an upload on a full disk was).
    @Test("a full disk is told apart from other failures")
    func diskFull() {
        #expect(ErrorMiddleware.isDiskFull(CocoaError(.fileWriteOutOfSpace)))
        #expect(ErrorMiddleware.isDiskFull(POSIXError(.ENOSPC)))
        #expect(!ErrorMiddleware.isDiskFull(POSIXError(.EACCES)) && !ErrorMiddleware.isDiskFull(CocoaError(.fileNoSuchFile)))
    }
}
