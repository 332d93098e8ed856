import Foundation
import Testing
import TestSupport

/// An agent that dies (SIGKILL) or stops answering (SIGSTOP) mid-job: the job still completes,
/// and the encoded bitstream is identical to a run where nothing went wrong. The comparison uses
/// FFV1: libx264's output for one segment can vary between agent processes (it reads heap memory
/// whose content depends on what the process allocated before; see docs/ARCHITECTURE.md).
@Suite("Agent failure within a job", .serialized)
struct AgentFailureTests {
    static let arguments = ["--agents", "2", "--threads", "1", "--segment-seconds", "1", "--codec", "ffv1"]

    func referenceRun(_ source: String, in dir: URL) throws -> [String] {
        let output = dir.appendingPathComponent("reference.mkv").path
        let run = try FarmCLI.transcode(source, to: output, Self.arguments)
        try #require(run.output.status == 0, "\(run.output.stderr)")
        return try FFmpegOracle.packetHashes(output)
    }

    /// Starts a transcode, waits until the agents work, applies `fault` to one agent, and
    /// returns the finished run's report and packet hashes.
    func faultyRun(_ source: String, in dir: URL, fault: (Int32) -> Void) throws -> (FarmCLI.Report, [String]) {
        let output = dir.appendingPathComponent("faulty.mkv").path
        let process = try Subprocess.start(TestPaths.gopfarm, ["transcode", source, "-o", output, "--json", "--quiet"] + Self.arguments,
                                           log: dir.appendingPathComponent("faulty.log"))
        var agents: [Int32] = []
        let deadline = Date().addingTimeInterval(60)
        while agents.count < 2 && Date() < deadline && process.isRunning {
            usleep(100_000)
            agents = Subprocess.children(of: process.processIdentifier)
        }
        try #require(agents.count == 2, "agents did not start")
        usleep(1_500_000)  // let them take segments
        fault(agents[0])
        let end = Date().addingTimeInterval(240)
        while process.isRunning && Date() < end { usleep(100_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let log = try String(contentsOf: dir.appendingPathComponent("faulty.log"), encoding: .utf8)
        try #require(process.terminationStatus == 0, "transcode failed: \(log)")
        let report = try FarmCLI.report(fromLog: log)
        return (report, try FFmpegOracle.packetHashes(output))
    }

    @Test("SIGKILL of an agent mid-job")
    func killed() throws {
        let source = try Fixture.lossyClip(seconds: 30)
        let dir = TestPaths.scratch("kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try referenceRun(source, in: dir)
        let (report, hashes) = try faultyRun(source, in: dir) { kill($0, SIGKILL) }
        #expect(report.agentRestarts >= 1, "the killed agent was not noticed")
        #expect(report.frames == report.sourceFrames)
        #expect(hashes == reference, "the output differs from the fault-free run")
    }

    @Test("an agent that stops answering (SIGSTOP) loses its segment to another")
    func stopped() throws {
        let source = try Fixture.lossyClip(seconds: 30)
        let dir = TestPaths.scratch("stop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try referenceRun(source, in: dir)
        var stoppedPID: Int32 = 0
        let (report, hashes) = try faultyRun(source, in: dir) { pid in
            stoppedPID = pid
            kill(pid, SIGSTOP)
        }
        kill(stoppedPID, SIGCONT)
        #expect(report.requeues >= 1, "the silent agent's segment was not requeued")
        #expect(report.frames == report.sourceFrames)
        #expect(hashes == reference, "the output differs from the fault-free run")
    }
}
