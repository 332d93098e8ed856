/// A reason an agent cannot start, as one sentence; `usage` when the command line itself is
/// wrong (exit status 64) rather than the machine's state, such as a missing key file (1).
public struct AgentSetupError: Error, CustomStringConvertible, Sendable {
    public var usage: Bool
    public var description: String

    public init(usage: Bool, _ description: String) {
        self.usage = usage
        self.description = description
    }
}
