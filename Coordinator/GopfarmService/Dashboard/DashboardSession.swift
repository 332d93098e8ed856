import Foundation

/// A request's log-in: its session (id, CSRF token) and who it is, resolved from the token.
struct DashboardSession: Sendable {
    var id: String
    var csrf: String
    var caller: Caller
}
