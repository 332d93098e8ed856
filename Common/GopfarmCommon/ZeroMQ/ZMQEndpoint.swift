/// The rule for an endpoint the coordinator listens on (`--bind`), in one place: `tcp://HOST:PORT`
/// with a port from 0 to 65535 (0 or `*`: any free port) or `ipc://PATH`. ZeroMQ itself takes
/// `tcp://127.0.0.1:99999` and listens on port 34463 (the number wrapped), where no agent told
/// 99999 can find it.
public enum ZMQEndpoint {
    /// The sentence refusing `endpoint`, or nil when it is one.
    public static func refusal(_ endpoint: String) -> String? {
        let shown = JobRules.quote(endpoint)
        if endpoint.hasPrefix("ipc://") {
            return endpoint.count > "ipc://".count ? nil : "--bind ipc:// needs a path, such as ipc:///tmp/gopfarm.sock"
        }
        guard endpoint.hasPrefix("tcp://") else {
            return "--bind takes a ZeroMQ endpoint such as tcp://0.0.0.0:5555, not '\(shown)'"
        }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else {
            return "--bind \(shown) names no port; use tcp://HOST:PORT, such as tcp://0.0.0.0:5555"
        }
        let port = rest[rest.index(after: colon)...]
        guard port == "*" || (port.allSatisfy(\.isASCII) && Int(port).map { (0...65535).contains($0) } == true) else {
            return "--bind \(shown): the port must be a number from 0 to 65535 (0 or * for any free port), not '\(JobRules.quote(String(port)))'"
        }
        return nil
    }
}
