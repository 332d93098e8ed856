import Foundation
import GopfarmCommon

/// Runs a real process to completion (with a time limit, so a hang fails the test instead of
/// stalling the suite) and captures its output.
public struct Subprocess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var timedOut: Bool
    }

    public static func run(_ executable: String, _ arguments: [String], timeout: Double = 300,
                           environment: [String: String]? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        p.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("sp-\(UUID().uuidString).out")
        let errURL = dir.appendingPathComponent("sp-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        p.standardOutput = outHandle
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        try p.runWithSignalsDelivered()
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while p.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        p.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return Output(status: p.terminationStatus,
                      stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                      timedOut: timedOut)
    }

    /// Starts a process in the background (for tests that kill things while it runs).
    public static func start(_ executable: String, _ arguments: [String], log: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        p.standardInput = FileHandle.nullDevice
        try p.runWithSignalsDelivered()
        return p
    }

    /// Direct children of `pid` (agents started by a `gopfarm transcode`).
    public static func children(of pid: Int32) -> [Int32] {
        guard let out = try? run("pgrep", ["-P", "\(pid)"], timeout: 10) else { return [] }
        return out.stdout.split(separator: "\n").compactMap { Int32($0) }
    }
}
