import Foundation
import GopfarmCommon
@testable import GopfarmService
import Testing
import TestSupport

/// The `X-Gopfarm-Signature` header: HMAC-SHA256 (OpenSSL) against RFC 4231's vectors and
/// Python's `hmac` module, and a receiver's checks (forgery, tampering, replay).
@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test("HMAC-SHA256 matches RFC 4231")
    func rfc4231() {
        // Test case 2.
        #expect(HMACSHA256.hex(key: Data("Jefe".utf8), message: Data("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Test case 1: 20 bytes of 0x0b, "Hi There".
        #expect(HMACSHA256.hex(key: Data(repeating: 0x0b, count: 20), message: Data("Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        // Test case 6: a key longer than the block size.
        #expect(HMACSHA256.hex(key: Data(repeating: 0xaa, count: 131),
                               message: Data("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("the header is t=<time>,v1=<HMAC of \"<time>.<body>\">, as Python computes it")
    func matchesPython() throws {
        let body = Data(#"{"event":"job.done","id":"dl_1","job":{"id":"abc"}}"#.utf8)
        let header = WebhookSignature.sign(body, secret: "whsec_0123456789abcdef", time: 1_700_000_000)
        let script = """
            import hmac, hashlib, sys
            body = sys.argv[1].encode()
            print("t=1700000000,v1=" + hmac.new(b"whsec_0123456789abcdef", b"1700000000." + body, hashlib.sha256).hexdigest())
            """
        let out = try Subprocess.run("python3", ["-c", script, String(decoding: body, as: UTF8.self)], timeout: 30)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == header)
    }

    @Test("a receiver accepts the signed body and refuses a forgery, a changed body and a replay")
    func verify() {
        let body = Data(#"{"event":"ping"}"#.utf8)
        let secret = "whsec_0123456789abcdef"
        let header = WebhookSignature.sign(body, secret: secret, time: 1_000_000)
        #expect(WebhookSignature.verify(header, body: body, secret: secret, now: 1_000_010))
        #expect(!WebhookSignature.verify(header, body: body, secret: "whsec_another-secret", now: 1_000_010))
        #expect(!WebhookSignature.verify(header, body: Data(#"{"event":"pong"}"#.utf8), secret: secret, now: 1_000_010))
        #expect(!WebhookSignature.verify(header, body: body, secret: secret, now: 1_000_000 + 301))
        #expect(!WebhookSignature.verify("t=1000000", body: body, secret: secret, now: 1_000_000))
        #expect(!WebhookSignature.verify("garbage", body: body, secret: secret, now: 1_000_000))
        // The time is part of what is signed: moving it breaks the signature.
        let moved = header.replacingOccurrences(of: "t=1000000", with: "t=1000100")
        #expect(!WebhookSignature.verify(moved, body: body, secret: secret, now: 1_000_100))
    }
}
