import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// An agent whose link is slower than the lease's no-progress bound: a segment's input takes
/// longer to arrive than a lease may go without progress. QA on a 256 kbit/s link (network
/// namespaces, tc tbf): 28 s for one segment's input, and the job failed "no progress within
/// the time allowed", because the agent cannot report a segment before it has arrived. Its
/// heartbeats now count the bytes arriving, which keeps the lease. Real `gopfarm serve` and
/// `gopfarm-agent` processes; the slow link is a relay (Tests/tools/slow_link.py) between them.
@Suite("Slow links", .serialized)
struct SlowLinkTests {
    struct RelayFailure: Error, CustomStringConvertible { var description: String }

    static let relay = TestPaths.packageRoot.appendingPathComponent("Tests/tools/slow_link.py").path

    /// Starts the relay to `endpoint` (tcp://host:port) at `rate` bytes/s toward the agent;
    /// returns it and the endpoint an agent connects to through it.
    static func slowLink(to endpoint: String, rate: Int, log: URL) throws -> (Process, String) {
        let address = endpoint.replacingOccurrences(of: "tcp://", with: "")
        let (host, port) = (String(address.split(separator: ":")[0]), String(address.split(separator: ":")[1]))
        let process = try Subprocess.start("/usr/bin/python3", [relay, host, port, "\(rate)"], log: log)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }) {
                return (process, "tcp://127.0.0.1:" + line.dropFirst("listening ".count))
            }
            if !process.isRunning { throw RelayFailure(description: "slow_link.py exited: \(text)") }
            usleep(50_000)
        }
        process.terminate()
        throw RelayFailure(description: "slow_link.py did not start listening")
    }

    @Test("a segment's input that takes longer than the lease bound to arrive keeps its lease; the job is done exact")
    func inputSlowerThanTheLeaseBound() throws {
        let dir = TestPaths.scratch("slow-link")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 4 s of 320x240 with noise, ~300 KB, all of it one segment.
        let source = dir.appendingPathComponent("noisy.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                                                 "-vf", "noise=alls=10:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "28",
                                                 "-g", "25", source], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        let bytes = try #require(try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int)
        let leaseSeconds = 2.0, rate = 50_000
        let transfer = Double(bytes) / Double(rate)
        try #require(transfer > 2 * leaseSeconds, "the input (\(bytes) bytes) must take longer than the bound to arrive")

        // Speculation off: only the lease bound may take the segment back.
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--lease-seconds", "\(leaseSeconds)",
                                                                 "--speculate-after", "600"])
        defer { serve.stop() }
        let (link, endpoint) = try Self.slowLink(to: serve.agentEndpoint, rate: rate, log: dir.appendingPathComponent("slow-link.log"))
        defer { link.terminate() }
        var arguments = serve.agentArguments(name: "far")
        arguments[arguments.firstIndex(of: serve.agentEndpoint)!] = endpoint
        let agent = try Subprocess.start(TestPaths.agent, arguments, log: dir.appendingPathComponent("agent-far.log"))
        defer { agent.terminate() }
        #expect(StalledAgentTests.wait(30) { serve.connectedAgents().contains("far") }, "the agent joined through the relay")

        let started = Date()
        let id = try serve.submit(source, output: "out.mkv",
                                  ["--codec", "libx264", "--preset", "ultrafast", "--segment-seconds", "10"])
        let job = try serve.waitForJob(id, timeout: 120)
        let seconds = Date().timeIntervalSince(started)
        #expect(job["state"] as? String == "done", "\(job["error"] ?? job)\n\(serve.log.suffix(3000))")
        #expect(seconds > transfer * 0.8, "the job took \(seconds) s: the input did not go through the slow link")
        #expect(!serve.log.contains("lease taken back"), "a lease was taken back while its input arrived")
        let output = dir.appendingPathComponent("fetched.mkv").path
        let fetched = try serve.cli(["fetch", id, "-o", output])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(try FFmpegOracle.countFrames(output) == 100, "every frame of the source")
    }
}
