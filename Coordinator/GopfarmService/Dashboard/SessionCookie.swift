import Foundation

/// The session cookie's name and attributes, and reading it back from a `Cookie` header.
/// HttpOnly (scripts never see it), SameSite=Strict (no cross-site request carries it),
/// Path=/ and, over TLS, Secure.
enum SessionCookie {
    static let name = "gopfarm_session"

    static func set(_ id: String, maxAge: TimeInterval, secure: Bool) -> String {
        "\(name)=\(id); Path=/; Max-Age=\(Int(maxAge)); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    static func clear(secure: Bool) -> String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The session id of a `Cookie` header (`a=1; gopfarm_session=…`), nil when absent.
    static func value(in header: String?) -> String? {
        value(of: name, in: header).flatMap { $0.count > 128 ? nil : $0 }
    }

    /// One cookie's value from a `Cookie` header; nil when absent or empty.
    static func value(of cookie: String, in header: String?) -> String? {
        header?.split(separator: ";").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix(cookie + "=") }.map { String($0.dropFirst(cookie.count + 1)) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
