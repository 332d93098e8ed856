import Foundation
import GopfarmCommon
import Testing
import TestSupport

/// `gopfarm serve` with three agent processes and two producers submitting four jobs through
/// the CLI: four correct outputs, with the segments spread over all three agents.
@Suite("Service farm", .serialized)
struct ServiceFarmTests {
    @Test("four jobs from two producers on three agents")
    func fourJobsThreeAgents() throws {
        let dir = TestPaths.scratch("farm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agents = try (1...3).map { try serve.startAgent(name: "agent-\($0)") }
        defer { for a in agents { a.terminate() } }

        func token(_ name: String) throws -> String {
            let out = try serve.cli(["token", "create", "--role", "producer", "--name", name])
            try #require(out.status == 0, "\(out.stderr)")
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let alice = try token("alice"), bob = try token("bob")
        let inputs = [try Fixture.lossyClip(seconds: 8), try Fixture.h264BFramesMP4.path(), try Fixture.noiseAudioMP4.path(), try Fixture.lossyClip(seconds: 8)]
        let owners = [alice, bob, alice, bob]
        let encode = ["--codec", "libx264", "--preset", "ultrafast", "--crf", "20", "--segment-seconds", "1"]
        var ids: [String] = []
        for n in 0..<3 {
            let out = try serve.cli(["submit", inputs[n], "-o", dir.appendingPathComponent("out-\(n).mp4").path] + encode
                                    + ["--priority", n == 2 ? "high" : "normal"], token: owners[n])
            try #require(out.status == 0, "\(out.stderr)")
            ids.append(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // The fourth waits, with progress lines in a pipe, and downloads its output.
        let waited = try serve.cli(["submit", inputs[3], "-o", dir.appendingPathComponent("out-3.mp4").path, "--wait", "--json"] + encode,
                                   token: owners[3], timeout: 240)
        try #require(waited.status == 0, "\(waited.stderr)\n\(serve.log)")
        struct Analysis: Decodable {
            struct Scene: Decodable { var startFrame: Int; var thumbnail: String? }
            struct Segment: Decodable { var agent: String; var frames: Int; var psnrAll: Double? }
            var frames: Int
            var scenes: [Scene]
            var segments: [Segment]
        }
        struct View: Decodable { var id: String; var state: String; var owner: String; var agents: [String]; var outputFrames: Int?; var analysis: Analysis? }
        ids.append(try JSONDecoder().decode(View.self, from: Data(waited.stdout.utf8)).id)

        var agentsUsed: Set<String> = []
        var agentsByJob: [String: [String]] = [:]
        for (n, id) in ids.enumerated() {
            let output = dir.appendingPathComponent("out-\(n).mp4").path
            let deadline = Date().addingTimeInterval(240)
            var view: View?
            while Date() < deadline {
                let status = try serve.cli(["status", id, "--json"], token: owners[n])
                view = try? JSONDecoder().decode(View.self, from: Data(status.stdout.utf8))
                if let s = view?.state, ["done", "failed", "cancelled"].contains(s) { break }
                usleep(300_000)
            }
            #expect(view?.state == "done", "job \(id): \(String(describing: view))")
            #expect(view?.owner == (owners[n] == alice ? "alice" : "bob"))
            agentsUsed.formUnion(view?.agents ?? [])
            agentsByJob[id] = view?.agents
            if n < 3 {
                let fetched = try serve.cli(["fetch", id, "-o", output], token: owners[n])
                try #require(fetched.status == 0, "\(fetched.stderr)")
            }
            if n == 0 {
                // `-o -`: the same bytes on stdout, the summary on stderr naming stdout.
                let piped = dir.appendingPathComponent("out-0-piped.mp4").path
                let fetched = try Subprocess.run("/bin/sh", ["-c", #"exec "$0" fetch "$1" -o - > "$2""#, TestPaths.gopfarm, id, piped],
                                                 timeout: 120, environment: ["GOPFARM_URL": serve.baseURL, "GOPFARM_TOKEN": owners[n]])
                let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
                #expect(fetched.status == 0 && (try? Data(contentsOf: URL(fileURLWithPath: piped))) == bytes, "\(fetched.stderr)")
                #expect(fetched.stderr == "stdout: \(ByteSize.text(Int64(bytes.count)))\n", "\(fetched.stderr)")
            }
            let frames = try FFmpegOracle.countFrames(output)
            #expect(frames == (try FFmpegOracle.countFrames(inputs[n])), "job \(n)")
            #expect(view?.outputFrames == frames)
            let psnr = try FFmpegOracle.psnr(output, reference: inputs[n])
            #expect(psnr > 30, "job \(n): PSNR \(psnr) dB")
            // The job's analysis is in `status --json`: every frame, every segment measured.
            let analysis = try #require(view?.analysis, "job \(n) has no analysis")
            #expect(analysis.frames == frames)
            #expect(analysis.segments.reduce(0) { $0 + $1.frames } == frames)
            #expect(analysis.segments.allSatisfy { ($0.psnrAll ?? 0) > 30 })
            #expect(!analysis.scenes.isEmpty && analysis.scenes.allSatisfy { $0.thumbnail != nil })
            let thumb = try serve.request("GET", "/v1/jobs/\(id)/thumbnails/\(analysis.scenes[0].thumbnail!)", token: owners[n])
            #expect(thumb.status == 200 && thumb.body.prefix(2) == Data([0xFF, 0xD8]))
            // The whole analysis, per-frame series included, as the store keeps it; to its owner only.
            let whole = try serve.request("GET", "/v1/jobs/\(id)/analysis", token: owners[n])
            #expect(whole.status == 200)
            struct Series: Decodable { var pts: [Int64]; var score: [Float?]; var lumaMean: [Float]; var sharpness: [Float] }
            struct Whole: Decodable { var frames: Int; var series: Series }
            let document = try #require(try? JSONDecoder().decode(Whole.self, from: whole.body), "\(String(decoding: whole.body.prefix(300), as: UTF8.self))")
            #expect(document.frames == frames)
            #expect([document.series.pts.count, document.series.score.count, document.series.lumaMean.count, document.series.sharpness.count] == Array(repeating: frames, count: 4))
            #expect(try serve.request("GET", "/v1/jobs/\(id)/analysis", token: owners[n] == alice ? bob : alice).status == 404)
        }
        #expect(agentsUsed == ["agent-1", "agent-2", "agent-3"], "\(agentsUsed)")
        // A producer sees only its own jobs.
        let listed = try serve.cli(["jobs", "--json", "--all-states"], token: bob)
        let bobs = try #require(try? JSONDecoder().decode([View].self, from: Data(listed.stdout.utf8)), "\(listed.stdout) \(listed.stderr)")
        #expect(Set(bobs.map(\.id)) == [ids[1], ids[3]])
        // The list looks every job's agents up in one query: the same as each job's own view.
        #expect(bobs.allSatisfy { $0.agents == agentsByJob[$0.id] && !$0.agents.isEmpty }, "\(bobs.map(\.agents)) vs \(agentsByJob)")
    }
}

/// Cancelling a job frees its agents at once: each running segment is revoked and given up, so
/// the next job does not wait behind encodes nobody wants.
@Suite("Cancel frees the agents", .serialized)
struct CancelFreesAgentsTests {
    @Test("a cancelled job's running segment is given up on its agent, and the next job runs at once")
    func cancelGivesUpRunningWork() throws {
        let dir = TestPaths.scratch("cancel-frees")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "only")
        defer { agent.terminate() }
        // One 8 s segment of noise at veryslow on one thread: a minute of work on this machine.
        let long = try serve.submit(try Fixture.lossyClip(seconds: 8), output: "long.mp4",
                                    ["--codec", "libx264", "--preset", "veryslow", "--segment-seconds", "10", "--no-analysis"])
        // Until the agent holds the segment (busy 1 in `agents --json`), then a moment of encoding.
        func busy() -> Bool {
            guard let out = try? serve.cli(["agents", "--json"]), let list = try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] else { return false }
            return list.contains { ($0["busy"] as? Int) == 1 }
        }
        let started = Date()
        while !busy(), Date().timeIntervalSince(started) < 60 { Thread.sleep(forTimeInterval: 0.2) }
        try #require(busy(), "the agent never took the long job")
        Thread.sleep(forTimeInterval: 1.5)
        let cancel = try serve.cli(["cancel", long])
        try #require(cancel.status == 0, "\(cancel.stderr)")
        let next = try serve.cli(["submit", try Fixture.h264BFramesMP4.path(), "-o", dir.appendingPathComponent("next.mp4").path,
                                  "--preset", "ultrafast", "--no-analysis", "--wait", "--quiet"], timeout: 120)
        #expect(next.status == 0, "\(next.stderr)")
        // Its attempt is recorded as cancelled, not left "running" in every report.
        let outcomes = try serve.query("SELECT COALESCE(outcome, 'open') FROM attempts WHERE jobId = '\(long)'").map { $0[0] }
        #expect(!outcomes.isEmpty && outcomes.allSatisfy { $0 == "cancelled" }, "\(outcomes)")
        let agentLog = serve.agentLog("only")
        #expect(agentLog.contains("running segment revoked: giving it up") && agentLog.contains("segment given up"), "\(agentLog.suffix(1500))")
        #expect(!agentLog.contains("segment done bytes") || agentLog.components(separatedBy: "segment done").count == 2,
                "the cancelled segment was encoded to the end: \(agentLog.suffix(1500))")
    }
}
