import ArgumentParser
import Foundation
import GopfarmCommon

/// Exits the way the other gopfarm tools do: one sentence on stderr, then the status.
public enum AgentCLI {
    public static func fail(_ message: String, status: Int32) -> ExitCode {
        Console.error("gopfarm-agent: error: \(message)\n")
        return ExitCode(status)
    }

    public static func warn(_ message: String) {
        Console.error("gopfarm-agent: warning: \(message)\n")
    }
}
