import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// A reader that goes away early (`gopfarm probe X | true`, `gopfarm jobs --json | head -c 10`)
/// ends the command quietly with status 0: no signal, no "Fatal error", no backtrace.
@Suite("Closed output pipe")
struct ClosedPipeTests {
    struct Run {
        var status: Int32
        var signalled: Bool
        var received: String
        var stderr: String
    }

    /// Runs `executable` with stdout a pipe whose read end is closed before the process starts
    /// (`readFirst == 0`: its first write fails with EPIPE), or after reading `readFirst` bytes
    /// from a one-page pipe (the write blocked on the full pipe then fails).
    static func run(_ executable: String, _ arguments: [String], readFirst: Int = 0,
                    environment: [String: String] = [:]) throws -> Run {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // F_SETPIPE_SZ (1031; a GNU extension Glibc's module does not export): one page, so
        // output larger than 4 KiB is still being written when the reader leaves.
        _ = fcntl(writeEnd, 1031, 4096)
        if readFirst == 0 { close(readEnd) }

        let dir = TestPaths.scratch("closed-pipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let errURL = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle(fileDescriptor: writeEnd, closeOnDealloc: false)
        p.standardError = errHandle
        p.standardInput = FileHandle.nullDevice
        try p.runWithSignalsDelivered()
        close(writeEnd)  // the child holds the only write end now

        var received = Data()
        if readFirst > 0 {
            var buffer = [UInt8](repeating: 0, count: readFirst)
            while received.count < readFirst {
                let n = read(readEnd, &buffer, readFirst - received.count)
                if n <= 0 { break }
                received.append(contentsOf: buffer[0..<n])
            }
            close(readEnd)
        }
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try errHandle.close()
        return Run(status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal,
                   received: String(decoding: received, as: UTF8.self),
                   stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    static func expectQuiet(_ run: Run, _ what: String) {
        #expect(!run.signalled, "\(what): killed by signal \(run.status)\n\(run.stderr)")
        #expect(run.status == 0, "\(what): status \(run.status)\n\(run.stderr)")
        #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Backtrac") && !run.stderr.contains("crashed"),
                "\(what):\n\(run.stderr)")
    }

    @Test("gopfarm probe, its --json and --help end quietly when nobody reads their output")
    func probe() throws {
        let clip = try Fixture.h264BFramesMP4.path()
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["probe", clip]), "probe | true")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["probe", clip, "--json"]), "probe --json | true")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["probe", clip, "--plan", "--segment-seconds", "0.5"]), "probe --plan | true")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["--help"]), "--help | true")
    }

    @Test("gopfarm-agent keys init ends quietly when nobody reads the key")
    func agent() throws {
        let dir = TestPaths.scratch("closed-pipe-agent")
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("agent.key").path
        Self.expectQuiet(try Self.run(TestPaths.agent, ["keys", "init", "--key-file", key]), "gopfarm-agent keys init | true")
        Self.expectQuiet(try Self.run(TestPaths.agent, ["keys", "show", "--key-file", key]), "gopfarm-agent keys show | true")
        Self.expectQuiet(try Self.run(TestPaths.agent, ["--help"]), "gopfarm-agent --help | true")
    }

    @Test("gopfarm jobs --json | head -c 10 against a running serve ends quietly")
    func jobs() throws {
        let dir = TestPaths.scratch("closed-pipe-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        // No agents: the jobs stay queued, and their JSON (30 × ~0.5 KiB) is far more than the
        // one-page pipe, so the reader leaves while gopfarm is still writing.
        let clip = try Fixture.h264BFramesMP4.path()
        var ids: [String] = []
        for _ in 0..<30 {
            let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                      json: #"{"input":"\#(clip)","settings":{"codec":"ffv1"},"segmentSeconds":1}"#)
            try #require(r.status == 201, "\(r.text)")
            ids.append(try #require(r.json()?["id"] as? String))
        }
        let whole = try serve.cli(["jobs", "--json"], timeout: 60)
        #expect(whole.status == 0 && whole.stdout.utf8.count > 8192, "\(whole.stdout.utf8.count) bytes: \(whole.stderr)")
        let env = ["GOPFARM_URL": serve.baseURL, "GOPFARM_TOKEN": serve.adminToken]
        let head = try Self.run(TestPaths.gopfarm, ["jobs", "--json"], readFirst: 10, environment: env)
        Self.expectQuiet(head, "jobs --json | head -c 10")
        #expect(head.received.hasPrefix("["), "\(head.received)")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["jobs", "--json"], environment: env), "jobs --json | true")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["jobs"], environment: env), "jobs | true")
        let id = ids[0]
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["status", id, "--json"], readFirst: 10, environment: env), "status --json | head -c 100")
        Self.expectQuiet(try Self.run(TestPaths.gopfarm, ["status", id], environment: env), "status | true")
    }

    /// `gopfarm fetch ID -o - | ffprobe -`, the README's own example: ffprobe reads the head and
    /// leaves; fetch said "cannot write /dev/stdout: Broken pipe" and exited 1.
    @Test("gopfarm fetch ID -o - | head -c 100 ends quietly")
    func fetch() throws {
        let dir = TestPaths.scratch("closed-pipe-fetch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "pipe-agent")
        defer { agent.terminate() }
        let id = try serve.submit(try Fixture.h264BFramesMP4.path(), output: "out.mp4", ["--codec", "libx264", "--preset", "ultrafast"])
        let job = try serve.waitForJob(id, timeout: 120)
        try #require(job["state"] as? String == "done", "\(job)")
        let env = ["GOPFARM_URL": serve.baseURL, "GOPFARM_TOKEN": serve.adminToken]
        let head = try Self.run(TestPaths.gopfarm, ["fetch", id, "-o", "-"], readFirst: 100, environment: env)
        Self.expectQuiet(head, "fetch -o - | head -c 100")
        #expect(head.stderr.isEmpty, "\(head.stderr)")
    }
}
