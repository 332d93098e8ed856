import HTTPTypes
import Hummingbird
import Synchronization

/// Which methods each route of the router takes, so that a known path asked with another method
/// is a 405 with an `Allow` header, not a 404 (Hummingbird's router answers both with 404).
/// Filled once the router has all its routes; `ErrorMiddleware` asks it about each 404.
final class RouteMethods: Sendable {
    private let routes = Mutex<[(path: [RouterPath.Element], methods: Set<HTTPRequest.Method>)]>([])

    func load(_ descriptions: [Router<FarmRequestContext>.RouteDescription]) {
        var table: [String: (path: [RouterPath.Element], methods: Set<HTTPRequest.Method>)] = [:]
        for route in descriptions {
            table[route.path.description, default: (route.path.components, [])].methods.insert(route.method)
        }
        routes.withLock { $0 = Array(table.values) }
    }

    /// The methods `path` takes, sorted (empty: no route has this path): its routes' methods,
    /// and HEAD wherever GET is (the router answers it).
    func allowed(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = routes.withLock { routes in
            routes.filter { Self.matches($0.path, segments) }.reduce(into: Set<HTTPRequest.Method>()) { $0.formUnion($1.methods) }
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    static func matches(_ route: [RouterPath.Element], _ segments: [Substring]) -> Bool {
        for (index, element) in route.enumerated() {
            // `**` takes one segment or more, as the router's does (`files/**` is not `files`).
            if element.description == "**" { return segments.count > index }
            guard index < segments.count, element ~= segments[index] else { return false }
        }
        return route.count == segments.count
    }
}
