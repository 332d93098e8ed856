import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// A job ends: it never waits on an agent that makes no progress, on a segment that cannot be
/// decoded, or on agents that will not take it (issue 11). Real `gopfarm serve` and `gopfarm
/// transcode` processes; the agent that stalls is a `FakeAgent` speaking the wire protocol.
@Suite("Stalled agents and damaged segments", .serialized)
struct StalledAgentTests {
    /// The lease floor these tests give the coordinator (`--lease-seconds`): a lease whose agent
    /// reports no new frame for this long is taken back (small clips: the scaled bound is lower).
    static let leaseSeconds = 4.0

    /// 4 s at 25 fps, a key frame every second, no B-frames, in MPEG-TS, whose 61st frame is
    /// timed one tick before the 60th (its PES header rewritten): every time is still distinct
    /// and in its segment, so the plan accepts it, and every decoder returns a frame earlier
    /// than the one before in the segment at 2 s, a deterministic error. (A timestamp repeated
    /// outright is damage the planner sees, and is transcoded in one piece with a warning.)
    static func reversedTimestampTS(in dir: URL) throws -> String {
        let clean = dir.appendingPathComponent("clean.ts").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                                                 "-c:v", "libx264", "-threads", "1", "-preset", "ultrafast", "-bf", "0", "-g", "25",
                                                 "-f", "mpegts", clean], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clean)))
        // Offsets of the PTS field of each video PES (PID 0x100) header, in file order.
        var ptsOffsets: [Int] = []
        for packet in stride(from: 0, to: bytes.count - 187, by: 188) {
            let pid = Int(bytes[packet + 1] & 0x1f) << 8 | Int(bytes[packet + 2])
            guard bytes[packet] == 0x47, pid == 0x100, bytes[packet + 1] & 0x40 != 0 else { continue }
            var i = packet + 4
            if bytes[packet + 3] & 0x20 != 0 { i += 1 + Int(bytes[packet + 4]) }
            try #require(bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1 && bytes[i + 7] >> 6 == 2, "a PES header with PTS only")
            ptsOffsets.append(i + 9)
        }
        try #require(ptsOffsets.count == 100)
        let (from, to) = (ptsOffsets[59], ptsOffsets[60])
        // The 33-bit PTS in its five bytes (marker bits kept): the 60th's, less one tick.
        let b = Array(bytes[from..<(from + 5)])
        let pts = (Int64(b[0] >> 1) & 7) << 30 | Int64(b[1]) << 22 | Int64(b[2] >> 1) << 15 | Int64(b[3]) << 7 | Int64(b[4] >> 1)
        let earlier = pts - 1
        bytes[to] = (b[0] & 0xF0) | UInt8((earlier >> 30) & 7) << 1 | 1
        bytes[to + 1] = UInt8((earlier >> 22) & 0xFF)
        bytes[to + 2] = UInt8((earlier >> 15) & 0x7F) << 1 | 1
        bytes[to + 3] = UInt8((earlier >> 7) & 0xFF)
        bytes[to + 4] = UInt8(earlier & 0x7F) << 1 | 1
        let damaged = dir.appendingPathComponent("reversed-timestamp.ts").path
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        return damaged
    }

    /// Runs `gopfarm transcode` on the damaged file with `agents` local agents; it must end in
    /// a bounded time with one error line naming frames and a time, and leave nothing behind.
    func damagedInputFails(agents: Int) throws {
        let dir = TestPaths.scratch("damaged-\(agents)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Self.reversedTimestampTS(in: dir)
        let outDir = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        let started = Date()
        // Before the fix this run never ended (the only agent blocklisted, the job at 0 agents).
        let run = try Subprocess.run(TestPaths.gopfarm, ["transcode", input, "-o", outDir.appendingPathComponent("out.mkv").path,
                                                         "--codec", "ffv1", "--segment-seconds", "1", "--agents", "\(agents)", "--quiet"],
                                     timeout: 120)
        let seconds = Date().timeIntervalSince(started)
        #expect(!run.timedOut, "the job hung")
        #expect(seconds < 60, "took \(seconds) s")
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(run.stderr)")
        #expect(lines.first?.hasPrefix("gopfarm: error: frames 51-75 cannot be decoded: the stream is damaged at 0:00:02.0") == true,
                "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outDir.path).isEmpty, "left behind")
    }

    @Test("a segment that cannot be decoded ends a one-agent transcode at once, in one line")
    func damagedOneAgent() throws { try damagedInputFails(agents: 1) }

    @Test("… and a two-agent one")
    func damagedTwoAgents() throws { try damagedInputFails(agents: 2) }

    /// Through the service with one agent: the job ends `failed` with the sentence, in `status`.
    @Test("a damaged input through serve with one agent ends failed, with the sentence in status")
    func damagedThroughServe() throws {
        let dir = TestPaths.scratch("damaged-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try Self.reversedTimestampTS(in: dir)
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "only")
        defer { agent.terminate() }
        let id = try Self.submit(serve, input)
        let job = try serve.waitForJob(id, timeout: 120)
        #expect(job["state"] as? String == "failed", "\(job)")
        let status = try serve.cli(["status", id])
        #expect(status.stdout.contains("frames 51-75 cannot be decoded: the stream is damaged at 0:00:02.0"), "\(status.stdout)")
        // The agent is not to blame: it is still connected and takes the next job.
        #expect(agent.isRunning)
    }

    /// The agent that heartbeats but never reports a new frame loses its segment after the
    /// bound, and the job finishes on the real agent.
    @Test("an agent that heartbeats without progress loses its segment; the job finishes on a real agent within the bound")
    func heartbeatWithoutProgress() throws {
        let dir = TestPaths.scratch("stalled")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.cleanClip(in: dir)
        // Speculation off (it could rescue the segment too): only the lease may take it back.
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--lease-seconds", "\(Self.leaseSeconds)",
                                                                 "--speculate-after", "600"])
        defer { serve.stop() }
        // The fake joins first, so the first segment goes to it.
        let fake = FakeAgent(endpoint: serve.agentEndpoint, name: "stuck")
        defer { fake.stop() }
        #expect(fake.wait(10) { $0.isWelcomed })
        let real = try serve.startAgent(name: "real")
        defer { real.terminate() }
        #expect(Self.wait(30) { (try? serve.query("SELECT COUNT(*) FROM agents WHERE name = 'real'").first?.first) == "1" })

        let submitted = Date()
        let id = try Self.submit(serve, source)
        #expect(fake.wait(30) { !$0.assignments.isEmpty }, "the fake agent got no segment")
        let job = try serve.waitForJob(id, timeout: 120)
        let seconds = Date().timeIntervalSince(submitted)
        #expect(job["state"] as? String == "done", "\(job)\n\(serve.log)")
        let taken = try #require(fake.assignments.first)
        #expect(fake.assignments.count == 1, "a stuck agent gets no more work")
        // Taken back while the fake kept heartbeating; finished by the real agent.
        #expect(serve.log.contains("lease taken back: no progress"), "\(serve.log)")
        #expect(fake.goodbye == nil && fake.heartbeatsSent > Int(Self.leaseSeconds / 0.25))
        let finisher = try serve.query("SELECT agent FROM segments WHERE jobId = '\(id)' AND idx = \(taken.segment)")
        #expect(finisher.map { $0.first } == ["real"], "\(finisher)")
        // The documented bound (the lease floor here) plus generous time for a 4-segment job.
        #expect(seconds < Self.leaseSeconds + 60, "took \(seconds) s")
    }

    /// A part short enough to sit whole in x264 veryslow's lookahead (60 frames) is handed to the
    /// encoder in a moment and then encoded during the flush, for many seconds: its heartbeats
    /// must keep moving, or the coordinator takes the lease back for "no progress". It did, every
    /// first attempt (the agent counted frames handed in, not frames encoded), and a loaded
    /// machine could fail such a job (`JoiningAgentsTests` did once, its parts 61 frames long).
    @Test("a part encoded entirely in the encoder's flush keeps its lease")
    func flushCountsAsProgress() throws {
        let dir = TestPaths.scratch("flush-progress")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("clip.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=4",
                                                 "-vf", "noise=alls=40:allf=t", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", source],
                                      timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        // Two 50-frame parts of noise at veryslow: each one's flush takes several seconds (about
        // 10 on an idle core of this machine), against a 3 s lease floor.
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--lease-seconds", "3", "--speculate-after", "600"])
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "only")
        defer { agent.terminate() }
        #expect(Self.wait(30) { serve.connectedAgents().contains("only") })
        let id = try serve.submit(source, output: dir.appendingPathComponent("out.mp4").path,
                                  ["--codec", "libx264", "--preset", "veryslow", "--segment-seconds", "2", "--no-analysis"])
        let job = try serve.waitForJob(id, timeout: 300)
        #expect(job["state"] as? String == "done", "\(job)\n\(serve.log)")
        #expect(!serve.log.contains("lease taken back"), "\(serve.log)")
    }

    /// Speculation needs no completed segment: a one-segment job held by the fake is re-run on
    /// an idle real agent after the time bound (factor × `--speculate-after`), before any result.
    @Test("a straggler is re-run before any segment of its job has completed")
    func speculationWithoutACompletedSegment() throws {
        let dir = TestPaths.scratch("speculate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.cleanClip(in: dir)
        // Leases never expire here: only speculation can finish the job.
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--lease-seconds", "600", "--speculate-after", "2"])
        defer { serve.stop() }
        let fake = FakeAgent(endpoint: serve.agentEndpoint, name: "stuck")
        defer { fake.stop() }
        #expect(fake.wait(10) { $0.isWelcomed })
        let real = try serve.startAgent(name: "real")
        defer { real.terminate() }
        #expect(Self.wait(30) { (try? serve.query("SELECT COUNT(*) FROM agents WHERE name = 'real'").first?.first) == "1" })
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                  json: #"{"input":"\#(source)","outputName":"out.mkv","settings":{"codec":"ffv1"},"segmentSeconds":60}"#)
        try #require(r.status == 201, "\(r.text)")
        let id = try #require(r.json()?["id"] as? String)
        let job = try serve.waitForJob(id, timeout: 90)
        #expect(job["state"] as? String == "done", "\(job)")
        #expect(fake.assignments.map(\.segment) == [0])
        #expect(serve.log.contains("straggler re-run speculatively"), "\(serve.log)")
        #expect(try serve.query("SELECT agent FROM segments WHERE jobId = '\(id)' AND idx = 0").map { $0.first } == ["real"])
    }

    /// Alone, the stuck agent is no agent at all: the job fails with a sentence instead of waiting.
    @Test("a job whose only agent is stuck fails, saying so")
    func onlyAgentStuck() throws {
        let dir = TestPaths.scratch("stuck-only")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.cleanClip(in: dir)
        let serve = try ServeProcess(directory: dir, arguments: ["--insecure", "--lease-seconds", "\(Self.leaseSeconds)"])
        defer { serve.stop() }
        let fake = FakeAgent(endpoint: serve.agentEndpoint, name: "stuck")
        defer { fake.stop() }
        #expect(fake.wait(10) { $0.isWelcomed })
        let id = try Self.submit(serve, source)
        let job = try serve.waitForJob(id, timeout: 60)
        #expect(job["state"] as? String == "failed", "\(job)")
        #expect((job["error"] as? String) == "no agent can run this job: stuck is stuck on work that made no progress", "\(job)")
    }

    // MARK: - Helpers

    static func cleanClip(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("clean.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", path], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        return path
    }

    static func submit(_ serve: ServeProcess, _ input: String) throws -> String {
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                  json: #"{"input":"\#(input)","outputName":"out.mkv","settings":{"codec":"ffv1"},"segmentSeconds":1}"#)
        try #require(r.status == 201, "\(r.text)")
        return try #require(r.json()?["id"] as? String)
    }

    static func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }
}
