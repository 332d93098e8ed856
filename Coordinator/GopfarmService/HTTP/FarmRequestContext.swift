import Foundation
import GopfarmAPI
import Hummingbird

/// Hummingbird's request context plus who is calling (set by `AuthMiddleware`).
public struct FarmRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    /// Why the bearer token was refused, when it was revoked or expired.
    public var tokenRefusal: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        caller = nil
    }

    /// JSON bodies are small; uploads stream past this limit on their own route.
    public var maxUploadSize: Int { 1 << 20 }

    public var responseEncoder: JSONEncoder { APIJSON.encoder }
    public var requestDecoder: JSONDecoder { APIJSON.decoder }

    func requireCaller(_ role: Role = .producer) throws -> Caller {
        guard let caller else { throw APIError(.unauthorized, tokenRefusal ?? "missing or unknown bearer token") }
        guard caller.role >= role else { throw APIError(.forbidden, "this needs the \(role.rawValue) role; your token has \(caller.role.rawValue)") }
        return caller
    }
}

/// The API's JSON dialect: ISO-8601 dates, sorted keys.
public enum APIJSON {
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
