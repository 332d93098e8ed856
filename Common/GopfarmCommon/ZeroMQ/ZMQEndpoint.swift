/// The rule for an endpoint the coordinator listens on (`--bind`), in one place: `tcp://HOST:PORT`
/// with a port from 0 to 65535 (0 or `*`: any free port) or `ipc://PATH`. ZeroMQ itself takes
/// `tcp://127.0.0.1:99999` and listens on port 34463 (the number wrapped), where no agent told
/// 99999 can find it.
public enum ZMQEndpoint {
    /// The sentence refusing `endpoint` given as `option`, or nil when it is one. An endpoint to
    /// connect to (`connecting`, an agent's `--coordinator`) needs a real port, 1 to 65535.
    public static func refusal(_ endpoint: String, option: String = "--bind", connecting: Bool = false) -> String? {
        let shown = JobRules.quote(endpoint)
        if endpoint.hasPrefix("ipc://") {
            return endpoint.count > "ipc://".count ? nil : "\(option) ipc:// needs a path, such as ipc:///tmp/gopfarm.sock"
        }
        let example = connecting ? "tcp://coordinator.example:5555" : "tcp://0.0.0.0:5555"
        guard endpoint.hasPrefix("tcp://") else {
            return "\(option) takes a ZeroMQ endpoint such as \(example), not '\(shown)'"
        }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":"), colon != rest.startIndex else {
            return "\(option) \(shown) names no port; use tcp://HOST:PORT, such as \(example)"
        }
        let port = rest[rest.index(after: colon)...]
        let number = port.allSatisfy(\.isASCII) ? Int(port) : nil
        if connecting {
            guard let number, (1...65535).contains(number) else {
                return "\(option) \(shown): the port must be a number from 1 to 65535, not '\(JobRules.quote(String(port)))'"
            }
            return nil
        }
        guard port == "*" || number.map({ (0...65535).contains($0) }) == true else {
            return "\(option) \(shown): the port must be a number from 0 to 65535 (0 or * for any free port), not '\(JobRules.quote(String(port)))'"
        }
        return nil
    }
}
