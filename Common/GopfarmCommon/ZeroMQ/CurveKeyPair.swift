import CZeroMQ
import Foundation

/// A CURVE key pair in Z85 text (40 characters per key): the form libzmq's socket options take
/// and the form ops copy between machines (`gopfarm agents allow KEY`). Reading and writing
/// key files is in `CurveKeyPair+File.swift`.
public struct CurveKeyPair: Sendable, Codable, Equatable {
    public var publicKey: String
    public var secretKey: String

    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A fresh key pair from libzmq (libsodium underneath). Fails with `ENOTSUP` when this
    /// libzmq was built without CURVE.
    /// A new pair whose public key does not begin with `-`: one Z85 key in 85 does, and a
    /// command line takes it for an option (`gopfarm agents allow -x…` fails, and so did a test
    /// now and then), so such a pair is drawn again.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        while true {
            var publicKey = [CChar](repeating: 0, count: 41)
            var secretKey = [CChar](repeating: 0, count: 41)
            guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError("zmq_curve_keypair") }
            let pair = CurveKeyPair(publicKey: Self.string(publicKey), secretKey: Self.string(secretKey))
            if !pair.publicKey.hasPrefix("-") { return pair }
        }
    }

    /// Z85's 85 characters (ZeroMQ RFC 32). Note that `#` and `=` are among them, which is why
    /// the key file parser never strips trailing comments.
    public static let z85Alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// True for 40 Z85 characters that decode to 32 bytes: what a CURVE public or secret key
    /// looks like. Catches a truncated paste or a key in another encoding before libzmq sees it.
    public static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 40, key.utf8.allSatisfy(z85Alphabet.contains) else { return false }
        var decoded = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&decoded, key) != nil
    }

    /// The public key that belongs to `secretKey`, nil when it is not a valid key: lets a key
    /// file whose two lines were edited apart be refused instead of failing every handshake.
    public static func publicKey(forSecretKey secretKey: String) -> String? {
        guard isValidKey(secretKey) else { return nil }
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else { return nil }
        return string(publicKey)
    }

    /// Z85 of 32 raw key bytes (a ZAP request carries the client's key raw).
    public static func z85(_ raw: Data) -> String? {
        guard raw.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        let encoded = raw.withUnsafeBytes { zmq_z85_encode(&text, $0.bindMemory(to: UInt8.self).baseAddress, 32) }
        return encoded == nil ? nil : string(text)
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
