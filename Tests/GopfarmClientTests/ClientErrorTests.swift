import Foundation
@testable import GopfarmClient
import Testing

@Suite("Client errors and request plumbing")
struct ClientErrorTests {
    let url = URL(string: "http://127.0.0.1:8080")!

    @Test("each error is one sentence; only what may pass is transient")
    func sentences() {
        #expect(ClientError.unreachable(url).description == "cannot reach the coordinator at http://127.0.0.1:8080 (is `gopfarm serve` running?)")
        #expect(ClientError.server(status: 422, message: "crf for libx264 must be between 0 and 51, not 60").description
            == "crf for libx264 must be between 0 and 51, not 60")
        #expect(ClientError.unexpectedStatus(status: 502, request: "GET /v1/jobs").description
            == "the coordinator answered GET /v1/jobs with HTTP 502 and no error message")
        for error in [ClientError.unreachable(url), .transfer(url, detail: "reset"), .server(status: 503, message: "busy"),
                      .unexpectedStatus(status: 504, request: "GET /")] {
            #expect(error.isTransient, "\(error)")
        }
        for error in [ClientError.unauthorized, .server(status: 422, message: "no"), .noToken, .interrupted, .jobEnded("failed")] {
            #expect(!error.isTransient, "\(error)")
        }
        for error in [ClientError.noToken, .unauthorized, .badURL("ftp://x"), .config(path: "/c", reason: "cannot be read"),
                      .undecodable(request: "GET /", detail: "x"), .transfer(url, detail: "y")] {
            #expect(!error.description.isEmpty && !error.description.contains("\n"), "\(error)")
        }
    }

    @Test("path segments and file names are escaped for the wire")
    func escaping() {
        #expect(APIClient.escape("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7") == "rq%3ArM%3E%7DU%3F%40Lns47E1%25kR.o%40n%25FcmmsL%2F%40%7BH8%5Dyf7")
        #expect(APIClient.escape("abc-._~") == "abc-._~")
        #expect(APIClient.escape("é") == "%C3%A9")
        #expect(APIClient.headerSafe("talk.mp4") == "talk.mp4")
        #expect(APIClient.headerSafe("vidéo 1.mp4") == "vid%C3%A9o%201.mp4")
        #expect(APIClient.headerSafe("a\nb") == "a%0Ab")
    }

    @Test("dates with and without fractional seconds decode")
    func dates() throws {
        struct D: Decodable { var at: Date }
        let plain = try APIClient.decoder.decode(D.self, from: Data(#"{"at":"2026-12-04T03:00:00Z"}"#.utf8))
        let fraction = try APIClient.decoder.decode(D.self, from: Data(#"{"at":"2026-12-04T03:00:00.250Z"}"#.utf8))
        #expect(fraction.at.timeIntervalSince(plain.at) == 0.25)
        #expect(throws: DecodingError.self) { try APIClient.decoder.decode(D.self, from: Data(#"{"at":"yesterday"}"#.utf8)) }
    }

    @Test("an undecodable answer names the field")
    func describe() {
        struct D: Decodable { var id: String }
        do { _ = try JSONDecoder().decode(D.self, from: Data("{}".utf8)) } catch {
            #expect(APIClient.describe(error) == "no field 'id'")
        }
    }
}
