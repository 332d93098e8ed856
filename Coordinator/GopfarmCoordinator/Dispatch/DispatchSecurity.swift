/// How agents authenticate on the dispatcher's endpoint.
public enum DispatchSecurity: Sendable {
    /// Plain TCP: only when asked for (`--insecure`, local demo and tests).
    case insecure
}
