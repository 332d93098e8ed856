import COpenSSL
import Foundation

/// SHA-256 through OpenSSL's EVP API: every payload is hashed by its sender and checked by its
/// receiver.
public enum SHA256 {
    public static func hex(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        data.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        return hexString(digest.prefix(Int(length)))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hex of any bytes (digests, ZeroMQ identities).
    public static func hexString(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
