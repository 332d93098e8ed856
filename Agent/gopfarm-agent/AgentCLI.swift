import ArgumentParser
import Foundation

/// Exits the way the other gopfarm tools do: one sentence on stderr, then the status.
enum AgentCLI {
    static func fail(_ message: String, status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("gopfarm-agent: error: \(message)\n".utf8))
        return ExitCode(status)
    }

    static func warn(_ message: String) {
        FileHandle.standardError.write(Data("gopfarm-agent: warning: \(message)\n".utf8))
    }
}
