import Foundation
import GopfarmAPI
import Hummingbird

/// Hummingbird's request context plus who is calling (set by `AuthMiddleware`).
public struct FarmRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var caller: Caller?
    /// Why the bearer token was refused, when it was revoked or expired.
    public var tokenRefusal: String?
    /// The bearer token that resolved to `caller`: a long response (an event stream) checks it
    /// is still good as it goes.
    var token: String?

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
    /// Dates to the millisecond (RFC 3339 with a fraction): a job of a few seconds would otherwise
    /// read as starting and finishing in the same second ("in 0.0 s").
    public static var encoder: JSONEncoder {
        let e = JSONEncoder()
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(date.formatted(style))
        }
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// With or without a fraction of a second.
    public static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO-8601 date"))
        }
        return d
    }
}
