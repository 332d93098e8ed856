import COpenSSL
import Foundation

/// HMAC-SHA256 through OpenSSL 3's one-shot MAC API (`EVP_Q_mac`): webhook bodies are signed
/// with it, as GitHub and Stripe sign theirs.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`, as lower-case hex.
    public static func hex(key: Data, message: Data) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let ok = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k.baseAddress ?? UnsafeRawPointer(bitPattern: 1), k.count,
                          m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count, &out, out.count, &length) != nil
            }
        }
        // Only an OpenSSL without SHA-256 or HMAC fails here, which no supported build is.
        precondition(ok && length == 32, "OpenSSL could not compute HMAC-SHA256")
        return SHA256.hexString(out)
    }
}
