/// A refusal the HTTP layer turns into a status code and `{"error": …}`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case badRequest, unauthorized, forbidden, notFound, conflict, tooLarge, unprocessable, unavailable, insufficientStorage }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public var statusCode: Int {
        switch kind {
        case .badRequest: 400
        case .unauthorized: 401
        case .forbidden: 403
        case .notFound: 404
        case .conflict: 409
        case .tooLarge: 413
        case .unprocessable: 422
        case .unavailable: 503
        case .insufficientStorage: 507
        }
    }
}
