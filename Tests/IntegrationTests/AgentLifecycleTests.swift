import Foundation
import GopfarmCommon
import Synchronization
import Testing
import TestSupport

/// The agent's life around a real coordinator (`gopfarm transcode --agents 0 --bind`): graceful
/// and immediate stops, a coordinator that pauses, the benchmark agent (`gopfarm-bench-agent`),
/// and the command line's refusal to run unauthenticated by accident. Where today's coordinator cannot
/// show it (CURVE, exactly when results are sent again), the test plays the coordinator itself.
@Suite("Agent lifecycle", .serialized)
struct AgentLifecycleTests {
    /// A coordinator waiting for remote agents, and the agents a test starts against it.
    struct Farm {
        let dir: URL
        let endpoint: String
        let job: Process
        var agents: [Process] = []

        init(_ name: String, source: String, arguments: [String]) throws {
            dir = TestPaths.scratch(name)
            endpoint = "tcp://127.0.0.1:\(try Self.freePort())"
            job = try Subprocess.start(TestPaths.gopfarm, ["transcode", source, "-o", dir.appendingPathComponent("out.mkv").path,
                                                           "--agents", "0", "--bind", endpoint, "--json", "--quiet"] + arguments,
                                       log: dir.appendingPathComponent("job.log"))
        }

        mutating func agent(_ name: String, _ arguments: [String] = [], binary: String = TestPaths.agent) throws -> Process {
            let p = try Subprocess.start(binary, ["--coordinator", endpoint, "--insecure", "--name", name, "--threads", "1"] + arguments,
                                         log: dir.appendingPathComponent("\(name).log"))
            agents.append(p)
            return p
        }

        func log(_ name: String) -> String {
            (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        }

        /// Waits for the job to end and returns its report (the test fails on a failed job).
        func report(timeout: Double = 240) throws -> FarmCLI.Report {
            #expect(AgentLifecycleTests.wait(timeout) { !job.isRunning }, "the job did not finish")
            let log = log("job")
            try #require(!job.isRunning && job.terminationStatus == 0, "\(log)")
            return try FarmCLI.report(fromLog: log)
        }

        func close() {
            for p in agents + [job] where p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
            try? FileManager.default.removeItem(at: dir)
        }

        /// A loopback port nobody listens on (bound once by ZeroMQ, then released).
        static func freePort() throws -> Int {
            let socket = try ZMQSocket(context: ZMQContext(), kind: .router)
            let bound = try socket.bind("tcp://127.0.0.1:0")
            return Int(bound.split(separator: ":").last!)!
        }
    }

    /// 4 s at 25 fps where every frame is a key frame: what `gopfarm-bench-agent` can answer.
    static func allIntraClip(in dir: URL, size: String) throws -> String {
        let source = dir.appendingPathComponent("intra.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25:duration=4",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "1", "-bf", "0", source], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        return source
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func wait(_ seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }

    static func occurrences(_ text: String, in log: String) -> Int { log.components(separatedBy: text).count - 1 }

    @Test("SIGTERM finishes and delivers the segment in progress; a second SIGTERM hands it back at once")
    func stopSignals() throws {
        // Two 4 s segments, encoded slowly enough (medium, one thread) to be signalled mid-way.
        var farm = try Farm("stop", source: try Fixture.lossyClip(seconds: 8),
                            arguments: ["--codec", "libx264", "--preset", "medium", "--segment-seconds", "4"])
        defer { farm.close() }
        let stopper = try farm.agent("stopper")
        let quitter = try farm.agent("quitter")
        try #require(Self.wait(60) { farm.log("stopper").contains("segment assigned") && farm.log("quitter").contains("segment assigned") },
                     "\(farm.log("job"))")
        kill(stopper.processIdentifier, SIGTERM)
        kill(quitter.processIdentifier, SIGTERM)
        usleep(300_000)
        kill(quitter.processIdentifier, SIGTERM)
        #expect(Self.wait(5) { !quitter.isRunning }, "a second SIGTERM must end the agent at once")
        _ = try farm.agent("helper")
        let report = try farm.report()

        #expect(Self.wait(30) { !stopper.isRunning })
        let stopperLog = farm.log("stopper")
        #expect(stopper.terminationStatus == 0, "\(stopperLog)")
        #expect(stopperLog.contains("stopping: finishing 1 segment(s)"), "\(stopperLog)")
        // It leaves by itself once the result is confirmed, unless the job ends (and dismisses it) first.
        #expect(stopperLog.contains("segment done") && (stopperLog.contains("stopped: nothing left in progress or undelivered")
                                                        || stopperLog.contains("dismissed by the coordinator")), "\(stopperLog)")
        #expect(Self.occurrences("segment assigned", in: stopperLog) == 1, "no new work after the stop began: \(stopperLog)")
        #expect(report.segments.filter { $0.agent == "stopper" }.count == 1, "the stopping agent's result was used")

        let quitterLog = farm.log("quitter")
        #expect(quitter.terminationStatus == 0, "\(quitterLog)")
        #expect(quitterLog.contains("stopping now: handing back 1 segment(s)"), "\(quitterLog)")
        #expect(!report.segments.contains { $0.agent == "quitter" })
        #expect(report.requeues >= 1, "the quitter's segment went back to the queue")
        #expect(report.frames == 200 && report.frames == report.sourceFrames)
    }

    @Test("an agent keeps encoding through a paused coordinator and says hello again")
    func coordinatorPause() throws {
        var farm = try Farm("pause", source: try Fixture.lossyClip(seconds: 8),
                            arguments: ["--codec", "libx264", "--preset", "fast", "--segment-seconds", "2"])
        defer { farm.close() }
        let agent = try farm.agent("patient", ["--heartbeat-ms", "200"])
        try #require(Self.wait(60) { farm.log("patient").contains("segment assigned") }, "\(farm.log("job"))")
        kill(farm.job.processIdentifier, SIGSTOP)
        #expect(Self.wait(10) { farm.log("patient").contains("coordinator silent; saying hello again") }, "\(farm.log("patient"))")
        usleep(2_000_000)
        kill(farm.job.processIdentifier, SIGCONT)
        let report = try farm.report()
        let log = farm.log("patient")
        #expect(log.contains("reconnected"), "\(log)")
        #expect(report.frames == 200 && report.frames == report.sourceFrames)
        #expect(Self.wait(10) { !agent.isRunning } && agent.terminationStatus == 0, "dismissed at the end: \(log)")
    }

    @Test("gopfarm-bench-agent answers with the source packets of each range, which the coordinator accepts")
    func instant() throws {
        let dir = TestPaths.scratch("intra")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.allIntraClip(in: dir, size: "320x240")
        var farm = try Farm("instant", source: source, arguments: ["--segment-seconds", "0.5", "--no-analysis"])
        defer { farm.close() }
        _ = try farm.agent("instant", ["--slots", "2"], binary: TestPaths.benchAgent)
        let started = Date()
        let report = try farm.report(timeout: 60)
        #expect(report.frames == 100 && report.sourceFrames == 100)
        // 8 planned; the dispatcher may cut the last for the agent's two slots (`DispatchSplitter`),
        // depending on whether the agent was connected before the job was queued.
        #expect((8...9).contains(report.segments.count) && report.segments.allSatisfy { $0.agent == "instant" },
                "\(report.segments.map(\.frames))")
        #expect(report.segments.map(\.frames).reduce(0, +) == 100)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(try FFmpegOracle.countFrames(farm.dir.appendingPathComponent("out.mkv").path) == 100)
    }

    @Test("gopfarm-bench-agent --fleet N is N agents in one process: each its own connection, all accepted")
    func instantFleet() throws {
        let dir = TestPaths.scratch("fleet")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Self.allIntraClip(in: dir, size: "160x120")
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let fleet = try Subprocess.start(TestPaths.benchAgent, serve.agentArguments(name: "fleet", extra: ["--insecure", "--fleet", "4"]),
                                         log: dir.appendingPathComponent("fleet.log"))
        defer { if fleet.isRunning { kill(fleet.processIdentifier, SIGKILL) } }
        let names: Set<String> = ["fleet-1", "fleet-2", "fleet-3", "fleet-4"]
        try #require(Self.wait(30) { serve.connectedAgents() == names }, "\(serve.connectedAgents())\n\(serve.log)")

        // Every member holds a credit before the job exists, so the first four segments go to four agents.
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                  json: #"{"input":"\#(source)","settings":{"codec":"libx264"},"segmentSeconds":0.2,"analysis":false}"#)
        try #require(r.status == 201, "\(r.text)")
        let id = try #require(r.json()?["id"] as? String)
        let job = try serve.waitForJob(id, timeout: 60)
        #expect(job["state"] as? String == "done" && job["outputFrames"] as? Int == 100, "\(job)")
        let agents = Set(try serve.query("SELECT DISTINCT agent FROM segments WHERE jobId = '\(id)'").map { $0[0] })
        #expect(agents == names, "\(agents)")

        kill(fleet.processIdentifier, SIGTERM)
        #expect(Self.wait(10) { !fleet.isRunning } && fleet.terminationStatus == 0)
        #expect(Self.wait(10) { serve.connectedAgents().isEmpty }, "the members said goodbye: \(serve.connectedAgents())")
    }

    /// One name, one agent: a second agent started with a name a connected agent holds is told
    /// so and exits 2 after a few tries (the first keeps the name); an agent killed and restarted
    /// at once under its name gets in as soon as the old one has been silent the agent timeout.
    @Test("a name held by a connected agent is refused; a killed agent's name is free again")
    func oneNameOneAgent() throws {
        let dir = TestPaths.scratch("agent-names")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let first = try Subprocess.start(TestPaths.agent, serve.agentArguments(name: "render-1"), log: dir.appendingPathComponent("first.log"))
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        try #require(Self.wait(30) { serve.connectedAgents() == ["render-1"] }, "\(serve.log)")

        let twin = try Subprocess.start(TestPaths.agent, serve.agentArguments(name: "render-1"), log: dir.appendingPathComponent("twin.log"))
        defer { if twin.isRunning { kill(twin.processIdentifier, SIGKILL) } }
        #expect(Self.wait(30) { !twin.isRunning }, "the twin should give up")
        let twinLog = (try? String(contentsOf: dir.appendingPathComponent("twin.log"), encoding: .utf8)) ?? ""
        #expect(twin.terminationStatus == 2, "\(twinLog)")
        #expect(twinLog.contains("the name 'render-1' is taken by a connected agent (pid \(first.processIdentifier)); give each agent its own --name"), "\(twinLog)")
        #expect(first.isRunning && serve.connectedAgents() == ["render-1"])

        // kill -9, then the same name at once: in once the old session has been silent for the
        // agent timeout (2 s here), whether it was dropped for that or replaced.
        kill(first.processIdentifier, SIGKILL)
        let started = Date()
        let again = try Subprocess.start(TestPaths.agent, serve.agentArguments(name: "render-1"), log: dir.appendingPathComponent("again.log"))
        defer { if again.isRunning { kill(again.processIdentifier, SIGKILL) } }
        let pid = "pid=\(again.processIdentifier)"
        #expect(Self.wait(20) { serve.log.split(separator: "\n").contains { $0.contains("agent joined") && $0.contains(pid) } }, "\(serve.log)")
        #expect(Self.wait(10) { serve.connectedAgents() == ["render-1"] } && again.isRunning, "\(serve.connectedAgents()) \(serve.log.suffix(1500))")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("without a coordinator key the agent refuses to start unless --insecure is given")
    func keyRequired() throws {
        let dir = TestPaths.scratch("keys")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bare = try Subprocess.run(TestPaths.agent, ["--coordinator", "tcp://127.0.0.1:9"], timeout: 30, environment: ["HOME": dir.path])
        #expect(bare.status == 64)
        #expect(bare.stderr.hasPrefix("gopfarm-agent: error: no coordinator key: run `gopfarm keys show` on the coordinator"), "\(bare.stderr)")
        #expect(bare.stderr.contains("--insecure") && bare.stderr.split(separator: "\n").count == 1, "\(bare.stderr)")

        let keyFile = dir.appendingPathComponent("agent.key").path
        let coordinatorKey = try CurveKeyPair.generate().publicKey
        let noKeyFile = try Subprocess.run(TestPaths.agent, ["--coordinator", "tcp://127.0.0.1:9", "--coordinator-key", coordinatorKey,
                                                             "--key-file", keyFile], timeout: 30)
        #expect(noKeyFile.status == 1)
        #expect(noKeyFile.stderr.contains("there is no key file; make this agent's key pair with: gopfarm-agent keys init"), "\(noKeyFile.stderr)")
        // A key made before keys stopped beginning with '-' is still a value, not an option.
        // ("-a", not "-" and the key's second character: that one may be '-' too, and "--…" is
        // an option's name to any parser; 1 run in 85 failed so.)
        let dashed = "-a" + coordinatorKey.dropFirst(2)
        #expect(CurveKeyPair.isValidKey(dashed))
        let dashedRun = try Subprocess.run(TestPaths.agent, ["--coordinator", "tcp://127.0.0.1:9", "--coordinator-key", dashed,
                                                             "--key-file", keyFile], timeout: 30)
        #expect(dashedRun.status == 1 && dashedRun.stderr.contains("there is no key file"), "\(dashedRun.stderr)")

        let made = try Subprocess.run(TestPaths.agent, ["keys", "init", "--key-file", keyFile], timeout: 30)
        #expect(made.status == 0)
        let publicKey = made.stdout.trimmingCharacters(in: .newlines)
        #expect(CurveKeyPair.isValidKey(publicKey) && made.stdout == publicKey + "\n")
        #expect(made.stderr.contains("gopfarm agents allow --name ") && made.stderr.contains(" '\(publicKey)'"), "\(made.stderr)")
        let shown = try Subprocess.run(TestPaths.agent, ["keys", "show"], timeout: 30, environment: ["GOPFARM_AGENT_KEY_FILE": keyFile])
        #expect(shown.status == 0 && shown.stdout == publicKey + "\n")
        #expect(try Subprocess.run(TestPaths.agent, ["keys", "init", "--key-file", keyFile], timeout: 30).status == 1, "no silent overwrite")
    }

    @Test("with CURVE against a plain coordinator the agent says what is wrong and keeps trying")
    func curveAgainstPlainCoordinator() throws {
        var farm = try Farm("curve", source: try Fixture.vfrMP4.path(), arguments: [])
        defer { farm.close() }
        let keyFile = farm.dir.appendingPathComponent("agent.key")
        try CurveKeyPair.generate().save(to: keyFile)
        let agent = try Subprocess.start(TestPaths.agent, ["--coordinator", farm.endpoint, "--name", "secure", "--key-file", keyFile.path,
                                                           "--coordinator-key", try CurveKeyPair.generate().publicKey],
                                         log: farm.dir.appendingPathComponent("secure.log"))
        farm.agents.append(agent)
        #expect(Self.wait(15) { farm.log("secure").contains("the CURVE handshake with the coordinator failed") }, "\(farm.log("secure"))")
        #expect(agent.isRunning, "refusal is not fatal: ops may fix the coordinator")
        kill(agent.processIdentifier, SIGTERM)
        #expect(Self.wait(5) { !agent.isRunning } && agent.terminationStatus == 0)
        #expect(Self.occurrences("handshake with the coordinator failed", in: farm.log("secure")) == 1, "told once: \(farm.log("secure"))")
    }

    @Test("a refused key is logged once with the command that allows it, and the agent gets in once allowed")
    func refusedThenAllowed() throws {
        let coordinator = try FakeCoordinator(curve: true)
        let dir = TestPaths.scratch("allow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keys = try CurveKeyPair.generate()
        try keys.save(to: dir.appendingPathComponent("agent.key"))
        let log = dir.appendingPathComponent("agent.log")
        let agent = try Subprocess.start(TestPaths.benchAgent, ["--coordinator", coordinator.endpoint, "--coordinator-key", coordinator.keys!.publicKey,
                                                                "--key-file", dir.appendingPathComponent("agent.key").path, "--name", "curvy"],
                                         log: log)
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let refusal = "the coordinator refused this agent's key \(keys.publicKey); ask ops to run: gopfarm agents allow -- '\(keys.publicKey)'"
        #expect(Self.wait(10) { text().contains(refusal) }, "\(text())")
        #expect(coordinator.receive(within: 2.5) == nil, "nothing from a refused key gets through")
        #expect(Self.occurrences(refusal, in: text()) == 1, "told once, not at every retry: \(text())")
        #expect(agent.isRunning)

        coordinator.allowed.insert(keys.publicKey)
        let hello = try #require(coordinator.receive(within: 20), "the agent did not try again: \(text())")
        #expect(hello.message.type == AgentHello.type && hello.userID == keys.publicKey)
        coordinator.send(to: hello.identity, AgentWelcome(accepted: true, heartbeatMilliseconds: 1000).frames())
        let request = try #require(coordinator.receive(within: 5, skipping: [AgentHeartbeat.type]))
        #expect(request.message.type == SegmentRequest.type)
        coordinator.send(to: hello.identity, AgentGoodbye(reason: "job finished").frames())
        #expect(Self.wait(5) { !agent.isRunning } && agent.terminationStatus == 0, "\(text())")
    }

    @Test("a result the coordinator may not have read is sent again after the next welcome")
    func resultSurvivesSilence() throws {
        let coordinator = try FakeCoordinator(curve: false)
        let dir = TestPaths.scratch("resend")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("agent.log")
        let agent = try Subprocess.start(TestPaths.benchAgent, ["--coordinator", coordinator.endpoint, "--insecure", "--name", "resender",
                                                                "--heartbeat-ms", "200"], log: log)
        defer { if agent.isRunning { kill(agent.processIdentifier, SIGKILL) } }
        func text() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        let hello = try #require(coordinator.receive(within: 10))
        #expect(hello.message.type == AgentHello.type)
        coordinator.send(to: hello.identity, AgentWelcome(accepted: true, heartbeatMilliseconds: 200).frames())
        #expect(coordinator.receive(within: 5, skipping: [AgentHeartbeat.type])?.message.type == SegmentRequest.type)
        let (assignment, payload) = try Self.assignment()
        coordinator.send(to: hello.identity, assignment.frames(payloads: [payload]))
        // The result arrives, but the coordinator answers nothing (no heartbeat ack): it went silent.
        let first = try #require(coordinator.receive(within: 10, skipping: [AgentHeartbeat.type]), "\(text())")
        let result = try first.message.decode(SegmentResult.self)
        #expect(result.frames == 10 && result.firstPTS == 0 && result.lastPTS == 9 && result.segment == 3)
        #expect(try PacketStreamReader(first.message.payloads[0]).records.map(\.pts) == Array(0...9))

        // (The request for the slot the result freed comes first, from the old link.)
        let again = try #require(coordinator.receive(within: 10, skipping: [AgentHeartbeat.type, SegmentRequest.type]), "\(text())")
        #expect(again.message.type == AgentHello.type && again.identity != hello.identity, "a fresh link says hello")
        #expect(text().contains("coordinator silent; saying hello again"))
        coordinator.send(to: again.identity, AgentWelcome(accepted: true, heartbeatMilliseconds: 200).frames())
        var types: [String] = []
        var resent: SegmentResult?
        let quiet = MonotonicClock.now() + 3
        while MonotonicClock.now() < quiet, let next = coordinator.receive(within: 0.5) {
            if next.message.type == AgentHeartbeat.type {
                coordinator.send(to: again.identity, HeartbeatAck().frames())
                continue
            }
            types.append(next.message.type)
            if next.message.type == SegmentResult.type { resent = try next.message.decode(SegmentResult.self) }
        }
        #expect(types.sorted() == [SegmentResult.type, SegmentRequest.type].sorted(), "one result, once; one request for the free slot: \(types)")
        #expect(resent == result)
        #expect(text().contains("reconnected"), "\(text())")
        coordinator.send(to: again.identity, AgentGoodbye(reason: "job finished").frames())
        #expect(Self.wait(5) { !agent.isRunning } && agent.terminationStatus == 0, "\(text())")
    }

    /// Segment 3 of a made-up all-intra stream: 12 packets at PTS -1…10, range [0, 10).
    static func assignment() throws -> (SegmentAssignment, Data) {
        let parameters = try MediaProbe(path: try Fixture.vfrMP4.path()).videoParameters
        var writer = PacketStreamWriter()
        for pts in Int64(-1)...10 {
            [UInt8](repeating: UInt8(pts + 1), count: 100).withUnsafeBytes { writer.append(pts: pts, dts: pts, duration: 1, flags: 1, data: $0) }
        }
        let payload = try writer.finish(parameters: parameters, timeBase: Rational(1, 25))
        let assignment = SegmentAssignment(job: "j", segment: 3, attempt: 1, startPTS: 0, endPTS: 10, expectedFrames: 10,
                                           settings: EncodeSettings(), frameRate: Rational(25, 1), payloadSHA256: SHA256.hex(payload),
                                           leaseMilliseconds: 30_000)
        return (assignment, payload)
    }
}

/// A coordinator played by the test: a ROUTER (with CURVE and a ZAP handler allowing the keys
/// in `allowed`, or plain) on loopback, driven step by step.
final class FakeCoordinator {
    struct Received {
        var identity: Data
        var message: WireFrames
        var userID: String?
    }

    /// The keys the ZAP handler lets in (shared with its thread).
    final class AllowList: Sendable {
        private let keys = Mutex<Set<String>>([])
        func insert(_ key: String) { keys.withLock { _ = $0.insert(key) } }
        func contains(_ key: String) -> Bool { keys.withLock { $0.contains(key) } }
    }

    let context = ZMQContext()
    let keys: CurveKeyPair?
    let allowed = AllowList()
    private let zap: ZAPHandler?
    private let router: ZMQSocket
    let endpoint: String

    init(curve: Bool) throws {
        if curve {
            let keys = try CurveKeyPair.generate()
            let allowed = self.allowed
            let zap = ZAPHandler(context: context) { allowed.contains($0) }
            try zap.start()
            self.keys = keys
            self.zap = zap
        } else {
            keys = nil
            zap = nil
        }
        router = try ZMQSocket(context: context, kind: .router)
        if let keys { try router.makeCurveServer(secretKey: keys.secretKey) }
        endpoint = try router.bind("tcp://127.0.0.1:0")
    }

    deinit { zap?.stop() }

    /// The next message within `seconds`, leaving out those of the `skipping` types.
    func receive(within seconds: Double, skipping: Set<String> = []) -> Received? {
        let deadline = MonotonicClock.now() + seconds
        while MonotonicClock.now() < deadline {
            guard (try? router.poll(milliseconds: 20)) == true, let (frames, userID) = try? router.receiveWithUserID(),
                  frames.count >= 2, let message = try? WireFrames(Array(frames.dropFirst())) else { continue }
            if skipping.contains(message.type) { continue }
            return Received(identity: frames[0], message: message, userID: userID)
        }
        return nil
    }

    func send(to identity: Data, _ frames: [Data]) {
        _ = try? router.send([identity] + frames)
    }
}
