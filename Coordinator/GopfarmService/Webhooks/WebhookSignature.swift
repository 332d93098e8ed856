import Foundation
import GopfarmCommon

/// The `X-Gopfarm-Signature` header, as Stripe signs: `t=<unix seconds>,v1=<hex>`, where the hex
/// is HMAC-SHA256 of `"<t>.<raw body>"` under the webhook's secret. Signing the time with the
/// body lets a receiver refuse replays (an old `t`) as well as forgeries.
public enum WebhookSignature {
    public static let header = "X-Gopfarm-Signature"

    /// The header's value for `body` sent at `time`.
    public static func sign(_ body: Data, secret: String, time: Int) -> String {
        "t=\(time),v1=\(mac(body, secret: secret, time: time))"
    }

    /// Whether `header` signs `body` under `secret` at a time within `tolerance` seconds of `now`:
    /// what a receiver checks (the tests check deliveries with it, and the README shows it).
    public static func verify(_ header: String, body: Data, secret: String, now: Int, tolerance: Int = 300) -> Bool {
        var time: Int?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { time = Int(pair[1]) } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let time, abs(now - time) <= tolerance else { return false }
        let expected = Array(mac(body, secret: secret, time: time).utf8)
        return signatures.contains { constantTimeEqual(Array($0.utf8), expected) }
    }

    static func mac(_ body: Data, secret: String, time: Int) -> String {
        HMACSHA256.hex(key: Data(secret.utf8), message: Data("\(time).".utf8) + body)
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
