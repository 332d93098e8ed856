/// Why the emulated-host lab cannot be built or driven, as one sentence; `command` and `stderr`
/// when an `ip` or `tc` call failed, so the sentence says what the kernel answered.
public struct HostLabError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// Not root, no `ip`/`tc`, no namespaces or no cgroup cpu controller.
        case unavailable
        /// Another lab is running on this machine.
        case busy
        /// A `--link` value that is not a rate (`100mbit`).
        case badLinkRate
        /// A CPU share that is not a positive number of cores, or below the kernel's smallest quota.
        case badCPUShare
        /// More CPU for the hosts than the machine has (the coordinator needs some too).
        case overCommitted
        /// An `ip` or `tc` command failed.
        case commandFailed
        /// A cgroup file could not be created or written.
        case cgroupFailed
        /// A process could not be started in a host.
        case launchFailed
        /// The lab was already torn down.
        case tornDown
    }

    public var code: Code
    public var message: String
    public var command: String?
    public var stderr: String?

    public init(_ code: Code, _ message: String, command: String? = nil, stderr: String? = nil) {
        self.code = code
        self.message = message
        self.command = command
        self.stderr = stderr
    }

    public var description: String {
        var text = message
        if let command { text += " (\(command))" }
        if let stderr {
            let said = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: "; ")
            if !said.isEmpty { text += ": \(said)" }
        }
        return text
    }
}
