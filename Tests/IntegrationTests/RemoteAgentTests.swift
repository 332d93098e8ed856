import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// `--agents 0 --bind` waits for agents started elsewhere (here: separate processes started by
/// the test, as ops would on other machines); one joins late and still takes work.
@Suite("Remote agents", .serialized)
struct RemoteAgentTests {
    @Test("agents join a bound coordinator, one of them mid-job")
    func joinLate() throws {
        let dir = TestPaths.scratch("remote")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = 20_000 + Int(getpid() % 20_000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let output = dir.appendingPathComponent("out.mkv").path
        let source = try Fixture.lossyClip(seconds: 8)
        let job = try Subprocess.start(TestPaths.gopfarm, ["transcode", source, "-o", output, "--agents", "0", "--bind", endpoint,
                                                           "--codec", "libx264", "--preset", "fast", "--segment-seconds", "1", "--json", "--quiet"],
                                       log: dir.appendingPathComponent("job.log"))
        defer { if job.isRunning { job.terminate() } }
        let first = try Subprocess.start(TestPaths.agent, ["--coordinator", endpoint, "--insecure", "--name", "early", "--threads", "1"],
                                         log: dir.appendingPathComponent("early.log"))
        defer { if first.isRunning { first.terminate() } }
        usleep(2_500_000)
        let second = try Subprocess.start(TestPaths.agent, ["--coordinator", endpoint, "--insecure", "--name", "late", "--threads", "1"],
                                          log: dir.appendingPathComponent("late.log"))
        defer { if second.isRunning { second.terminate() } }
        let deadline = Date().addingTimeInterval(180)
        while job.isRunning && Date() < deadline { usleep(100_000) }
        let log = try String(contentsOf: dir.appendingPathComponent("job.log"), encoding: .utf8)
        try #require(!job.isRunning && job.terminationStatus == 0, "\(log)")
        let report = try FarmCLI.report(fromLog: log)
        #expect(Set(report.segments.map(\.agent)) == ["early", "late"], "\(report.segments.map(\.agent))")
        #expect(report.frames == 200)
        // Dismissed agents exit by themselves with status 0.
        for agent in [first, second] {
            let end = Date().addingTimeInterval(10)
            while agent.isRunning && Date() < end { usleep(50_000) }
            #expect(!agent.isRunning && agent.terminationStatus == 0)
        }
    }

    @Test("an agent of another protocol version is refused with a message")
    func versionMismatch() throws {
        // A raw ZeroMQ peer is not available to the test without libzmq bindings, so the agent
        // binary is asked to speak a future version through its hidden test switch.
        let dir = TestPaths.scratch("version")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = 40_000 + Int(getpid() % 20_000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let job = try Subprocess.start(TestPaths.gopfarm, ["transcode", try Fixture.vfrMP4.path(), "-o", dir.appendingPathComponent("o.mkv").path,
                                                           "--agents", "0", "--bind", endpoint, "-v"],
                                       log: dir.appendingPathComponent("job.log"))
        defer { job.terminate(); job.waitUntilExit() }
        let agent = try Subprocess.run(TestPaths.agent, ["--coordinator", endpoint, "--insecure", "--protocol-version", "99"], timeout: 30)
        #expect(agent.status == 2)
        #expect(agent.stderr.contains("refused by the coordinator: protocol version 99 is not supported; this coordinator speaks version \(WireProtocol.version)"), "\(agent.stderr)")
        let log = try String(contentsOf: dir.appendingPathComponent("job.log"), encoding: .utf8)
        #expect(log.contains("refused an agent"), "\(log)")
    }
}
