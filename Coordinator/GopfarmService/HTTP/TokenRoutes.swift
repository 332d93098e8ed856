import Foundation
import GopfarmAPI
import Hummingbird

/// `/v1/tokens`: create (admin), list (ops: names, roles, dates; never a secret), revoke (admin:
/// an ops token could otherwise revoke the admin's).
struct TokenRoutes {
    let service: FarmService

    /// Token names: what jobs are owned by.
    static func checkName(_ name: String) throws(APIError) {
        guard !name.isEmpty, name.count <= 100,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.@".contains($0)) }) else {
            throw APIError(.unprocessable, "token names have 1 to 100 letters, digits or -_.@")
        }
    }

    func add(to router: Router<FarmRequestContext>) {
        let service = self.service
        let tokens = router.group("/v1/tokens")
        tokens.post { request, context in
            _ = try context.requireCaller(.admin)
            var request = request
            let body = try await StrictJSON.decode(TokenRequest.self, fields: ["name", "role", "expiresInSeconds"],
                                                   from: try await request.collectBody(upTo: context.maxUploadSize))
            try Self.checkName(body.name)
            if let seconds = body.expiresInSeconds, !(1...(100 * 365 * 86400)).contains(seconds) {
                throw APIError(.unprocessable, "expiresInSeconds is from 1 second to 100 years")
            }
            let expiresAt = body.expiresInSeconds.map { Date().addingTimeInterval(Double($0)) }
            let token: String
            do { token = try await service.store.createToken(name: body.name, role: body.role, expiresAt: expiresAt) } catch let taken as TokenNameTaken {
                throw APIError(.conflict, taken.description)
            }
            await service.audit("token", "created a \(body.role.rawValue) token for \(body.name)")
            return try json(TokenCreated(name: body.name, role: body.role, token: token, expiresAt: expiresAt), status: .created)
        }
        tokens.get { _, context in
            _ = try context.requireCaller(.ops)
            return try json(try await service.store.tokens())
        }
        tokens.delete("{name}") { _, context in
            let caller = try context.requireCaller(.admin)
            let name = try pathParameter("name", context)
            let revoked: Bool
            do { revoked = try await service.store.revokeToken(name: name) } catch let last as LastAdminToken {
                throw APIError(.conflict, last.description)
            }
            guard revoked else { throw APIError(.notFound, "no active token named '\(name.prefix(100))'") }
            await service.audit("token", "\(caller.name) revoked the token \(name)")
            return try json(["revoked": name])
        }
    }
}
