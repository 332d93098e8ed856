import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// Thousands of random, mutated and forged ZeroMQ messages at a running coordinator: each is
/// rejected (and counted), none crashes it, and a real job beside them still comes out right.
@Suite("Wire fuzzing", .serialized)
struct WireFuzzTests {
    @Test("random and forged agent messages are rejected")
    func fuzz() throws {
        let dir = TestPaths.scratch("fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let input = try Fixture.h264BFramesMP4.path()
        let r = try serve.request("POST", "/v1/jobs", token: serve.adminToken,
                                  json: #"{"input":"\#(input)","settings":{"codec":"libx264","preset":"ultrafast"},"segmentSeconds":1}"#)
        try #require(r.status == 201, "\(r.text)")
        let job = try #require(r.json()?["id"] as? String)

        let context = ZMQContext()
        var rng = SystemRandomNumberGenerator()
        func randomBytes(_ n: Int) -> Data { Data((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        let hello = AgentHello(name: "fuzzer", slots: 2, threads: 1, cores: 1, agentVersion: "x", encoders: [], pid: 1)
        let forged: [[Data]] = [
            SegmentResult(job: job, segment: 0, attempt: 1, frames: 25, firstPTS: 0, lastPTS: 24, reorderDepth: 0, corruptFrames: [],
                          payloadSHA256: String(repeating: "0", count: 64), payloadBytes: 4, decodeSeconds: 0, encodeSeconds: 0).frames(payloads: [Data([1, 2, 3, 4])]),
            SegmentResult(job: job, segment: 99_999, attempt: 1, frames: -1, firstPTS: .min, lastPTS: .max, reorderDepth: -7, corruptFrames: [],
                          payloadSHA256: "zz", payloadBytes: -1, decodeSeconds: 1e308, encodeSeconds: -1).frames(),
            SegmentResult(job: "no-such-job", segment: 0, attempt: 0, frames: 0, firstPTS: 0, lastPTS: 0, reorderDepth: 0, corruptFrames: [],
                          payloadSHA256: "", payloadBytes: 0, decodeSeconds: 0, encodeSeconds: 0).frames(payloads: [Data(), Data()]),
            SegmentFailure(job: job, segment: -3, attempt: 1, message: String(repeating: "x", count: 100_000), permanent: true).frames(),
            SegmentFailure(job: job, segment: 0, attempt: 1, message: "forged: I never held this lease", permanent: false).frames(),
            SegmentRequest(slots: 1_000_000).frames(),
            SegmentRequest(slots: -5).frames(),
            AgentHeartbeat(inProgress: (0..<1000).map { .init(job: job, segment: $0, attempt: 1, frames: Int.max) }).frames(),
            AgentHello(name: "", slots: 0, threads: -1, cores: 0, agentVersion: "", encoders: [], pid: 0).frames(),
            AgentHello(name: String(repeating: "n", count: 10_000), slots: 1_000, threads: 1, cores: 1, agentVersion: "", encoders: [], pid: 0).frames(),
        ]
        let valid = forged + [hello.frames()]
        var sent = 0
        for round in 0..<40 {
            let socket = try ZMQSocket(context: context, kind: .dealer)
            try socket.connect(serve.agentEndpoint)
            if round % 2 == 0 { try socket.send(hello.frames()) }
            for i in 0..<100 {
                var frames: [Data]
                switch i % 5 {
                case 0: frames = (0..<Int.random(in: 1...4, using: &rng)).map { _ in randomBytes(Int.random(in: 0...300, using: &rng)) }
                case 1: frames = valid[Int.random(in: 0..<valid.count, using: &rng)]
                case 2:  // a valid message with bytes flipped in its header
                    frames = valid[Int.random(in: 0..<valid.count, using: &rng)]
                    var header = frames[0]
                    for _ in 0..<Int.random(in: 1...6, using: &rng) {
                        header[Int.random(in: 0..<header.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                    frames[0] = header
                case 3:  // a truncated header
                    frames = valid[Int.random(in: 0..<valid.count, using: &rng)]
                    frames[0] = frames[0].prefix(Int.random(in: 0..<frames[0].count, using: &rng))
                default:  // right envelope, wrong body or unknown type
                    frames = [Data(#"{"v":1,"type":"\#(["result", "failure", "heartbeat", "request", "hello", "bogus"].randomElement(using: &rng)!)","body":{"job":7}}"#.utf8)]
                }
                try socket.send(frames)
                sent += 1
            }
            // Drain whatever the coordinator answered (goodbyes, acks, even real assignments).
            while try socket.poll(milliseconds: 1) { _ = try socket.receive() }
        }
        #expect(sent == 4000)
        usleep(500_000)
        try #require(serve.process.isRunning, "the coordinator died:\n\(serve.log)")
        #expect(try serve.request("GET", "/healthz").status == 200)

        // A real agent finishes the job correctly despite the noise.
        let agent = try serve.startAgent(name: "real")
        defer { agent.terminate() }
        let done = try serve.waitForJob(job, timeout: 120)
        #expect(done["state"] as? String == "done", "\(done)")
        #expect(done["outputFrames"] as? Int == (try FFmpegOracle.countFrames(input)))
        let metrics = try serve.request("GET", "/metrics").text
        let rejected = metrics.split(separator: "\n").first { $0.hasPrefix("gopfarm_rejected_messages_total ") }
            .flatMap { Int($0.split(separator: " ").last!) } ?? 0
        #expect(rejected >= 1000, "\(metrics)")
        #expect(serve.log.contains("rejected a malformed message"))
        #expect(serve.process.isRunning)
    }

    /// A port scan or a flood of silent TCP connections on the agent port holds the
    /// coordinator's descriptors until libzmq gives up on their handshake: 10 s, not libzmq's 30.
    @Test("a connection to the agent port that never says hello is closed within the handshake interval")
    func silentConnectionsClose() throws {
        let dir = TestPaths.scratch("silent")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let endpoint = serve.agentEndpoint.replacingOccurrences(of: "tcp://", with: "")
        let host = String(endpoint[..<endpoint.lastIndex(of: ":")!]), port = String(endpoint[endpoint.index(after: endpoint.lastIndex(of: ":")!)...])
        let script = #"""
            import socket, sys, time
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
            start = time.time()
            s.settimeout(40)
            try:
                while s.recv(4096): pass
            except (socket.timeout, ConnectionResetError):
                pass
            print(round(time.time() - start))
            """#
        let out = try Subprocess.run("python3", ["-c", script, host == "0.0.0.0" || host == "*" ? "127.0.0.1" : host, port], timeout: 60)
        let seconds = Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect((8...14).contains(seconds), "closed after \(seconds) s: \(out.stdout)\(out.stderr)")
    }
}
