import Foundation
import GopfarmCommon

/// Runs the iproute2 tools (`ip`, `tc`) that build and drive the lab. A failure becomes one
/// sentence with the command line and what the tool printed on stderr.
enum HostCommand {
    /// Where a root shell finds system tools, then the caller's PATH.
    static func locate(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        return (["/usr/sbin", "/sbin", "/usr/bin", "/bin"] + path)
            .map { $0 + "/" + tool }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `tool arguments…` and returns its stdout; throws when it exits with a status other than 0.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws(HostLabError) -> String {
        let line = ([tool] + arguments).joined(separator: " ")
        guard let executable = locate(tool) else {
            throw HostLabError(.unavailable, "the \(tool) command (iproute2) is not installed", command: line)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.runWithSignalsDelivered() } catch {
            throw HostLabError(.commandFailed, "cannot run \(tool): \(error.localizedDescription)", command: line)
        }
        // The tools print little; stdout is read to its end first, then stderr.
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw HostLabError(.commandFailed, "\(tool) failed with status \(process.terminationStatus)", command: line, stderr: stderr)
        }
        return stdout
    }

    /// Runs a command whose failure is expected or harmless (removing what may be gone already).
    @discardableResult
    static func attempt(_ tool: String, _ arguments: [String]) -> Bool {
        (try? run(tool, arguments)) != nil
    }
}
