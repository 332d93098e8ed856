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
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard let eq = pair.firstIndex(of: "="), pair[..<eq] == name else { continue }
            let value = String(pair[pair.index(after: eq)...])
            return value.isEmpty || value.count > 128 ? nil : value
        }
        return nil
    }
}
