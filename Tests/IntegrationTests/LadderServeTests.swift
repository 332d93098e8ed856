import Foundation
import Testing
import TestSupport

/// A ladder job through `gopfarm serve` with one real agent: `gopfarm submit --ladder … --wait`
/// downloads the packaged directory, `gopfarm status --json` lists the renditions the store
/// recorded, and `GET /v1/jobs/{id}/files/…` serves the master playlist and the segments it names.
@Suite("Ladder jobs through serve", .serialized)
struct LadderServeTests {
    struct View: Decodable {
        struct Ladder: Decodable {
            struct Rendition: Decodable { var kind: String; var name: String; var width: Int?; var height: Int?; var frames: Int?; var bytes: Int; var averageBitrate: Int? }
            var renditions: [Rendition]
            var hlsURL: String?
            var dashURL: String?
            var files: [String]?
        }
        var id: String
        var state: String
        var outputName: String
        var outputFrames: Int?
        var ladder: Ladder?
    }

    @Test("submit --ladder --wait: a 2-rung package, listed by status and served file by file")
    func twoRungs() throws {
        let dir = TestPaths.scratch("ladder-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                                                 "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000:duration=3",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", clip], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        let sourceFrames = try FFmpegOracle.countFrames(clip)
        let serve = try ServeProcess(directory: dir, inputRoot: dir.path)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "ladder-agent", slots: 2)
        defer { agent.terminate() }
        let created = try serve.cli(["token", "create", "--role", "producer", "--name", "alice"])
        try #require(created.status == 0, "\(created.stderr)")
        let alice = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let out = dir.appendingPathComponent("film")
        let submitted = try serve.cli(["submit", clip, "-o", out.path + "/", "--ladder", "240p:400k,120p:150k", "--package", "hls,dash",
                                       "--package-seconds", "1", "--segment-seconds", "1", "--preset", "ultrafast", "--no-analysis",
                                       "--wait", "--json", "--quiet"], token: alice, timeout: 300)
        try #require(submitted.status == 0, "\(submitted.stderr)\n\(serve.log)")
        let final = try JSONDecoder().decode(View.self, from: Data(submitted.stdout.utf8))
        #expect(final.state == "done" && final.outputName == "film")

        let status = try serve.cli(["status", final.id, "--json"], token: alice)
        try #require(status.status == 0, "\(status.stderr)")
        let view = try JSONDecoder().decode(View.self, from: Data(status.stdout.utf8))
        let ladder = try #require(view.ladder, "\(status.stdout)")
        let video = ladder.renditions.filter { $0.kind == "video" }
        #expect(video.map(\.name) == ["240p", "120p"], "\(status.stdout)")
        #expect(video.map(\.height) == [240, 120] && video.map(\.width) == [320, 160])
        #expect(video.allSatisfy { $0.frames == sourceFrames && $0.frames == view.outputFrames && $0.bytes > 0 && ($0.averageBitrate ?? 0) > 0 })
        #expect(ladder.renditions.contains { $0.kind == "audio" }, "the clip's audio track is a rendition too")
        let text = try serve.cli(["status", final.id], token: alice)
        #expect(text.stdout.contains("240p") && text.stdout.contains("320x240") && text.stdout.contains("master.m3u8"), "\(text.stdout)")
        // The encoder, named as it was while the job ran (not the stream's h264).
        #expect(text.stdout.contains("  output:    film/ (a ladder, libx264)\n"), "\(text.stdout)")

        // The files endpoint: the master playlist, a media playlist it names, and a segment that one names.
        let hls = try #require(ladder.hlsURL)
        let master = try serve.request("GET", hls, token: alice)
        #expect(master.status == 200 && master.text.hasPrefix("#EXTM3U"), "\(master.status) \(master.text)")
        let variant = try #require(master.text.split(separator: "\n").first { !$0.hasPrefix("#") && $0.hasSuffix(".m3u8") }.map(String.init))
        let playlist = try serve.request("GET", "/v1/jobs/\(final.id)/files/\(variant)", token: alice)
        #expect(playlist.status == 200, "\(variant): \(playlist.status)")
        let segment = try #require(playlist.text.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init))
        let folder = (variant as NSString).deletingLastPathComponent
        let served = try serve.request("GET", "/v1/jobs/\(final.id)/files/\(folder)/\(segment)", token: alice)
        #expect(served.status == 200 && served.body.count > 0, "\(folder)/\(segment): \(served.status)")
        #expect(served.body == (try Data(contentsOf: out.appendingPathComponent(folder).appendingPathComponent(segment))),
                "the downloaded segment differs from the served one")
        #expect(try serve.request("GET", hls, token: serve.adminToken).status == 200)

        // --wait downloaded every file the job lists, and ffmpeg reads the package from disk.
        for file in ladder.files ?? [] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) was not downloaded")
        }
        // One rung's track as a player joins it (init section, then every segment) holds every source frame.
        let track = out.appendingPathComponent(folder)
        let lines = playlist.text.split(separator: "\n").map(String.init)
        let initName = try #require(lines.first { $0.hasPrefix("#EXT-X-MAP:") }?.components(separatedBy: "URI=\"").last?.split(separator: "\"").first)
        var joined = try Data(contentsOf: track.appendingPathComponent(String(initName)))
        for name in lines where !name.hasPrefix("#") && !name.isEmpty { joined += try Data(contentsOf: track.appendingPathComponent(name)) }
        let joinedPath = dir.appendingPathComponent("joined.mp4")
        try joined.write(to: joinedPath)
        #expect(try FFmpegOracle.countFrames(joinedPath.path) == sourceFrames)

        // fetch: into a new directory, whole (nothing staged is left beside it); never into one
        // that holds anything.
        let again = dir.appendingPathComponent("again")
        let fetched = try serve.cli(["fetch", final.id, "-o", again.path], token: alice)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: again.path)) == Set(try FileManager.default.contentsOfDirectory(atPath: out.path)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("gopfarm-fetch") }.isEmpty)
        let refused = try serve.cli(["fetch", final.id, "-o", out.path], token: alice)
        #expect(refused.status == 64 && refused.stderr.contains("is not empty"), "\(refused.status) \(refused.stderr)")
    }

    @Test("--ladder auto: the probe runs as its own dispatcher job first, then the chosen rungs, recorded beside the manifests")
    func automatic() throws {
        let dir = TestPaths.scratch("ladder-auto-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=3",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", clip], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        let serve = try ServeProcess(directory: dir, inputRoot: dir.path)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "auto-agent", slots: 2)
        defer { agent.terminate() }

        let submitted = try serve.cli(["submit", clip, "-o", "auto/", "--ladder", "auto", "--package", "hls", "--package-seconds", "1",
                                       "--segment-seconds", "1", "--preset", "ultrafast", "--no-analysis"], timeout: 60)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let job = try serve.waitForJob(id, timeout: 300)
        try #require(job["state"] as? String == "done", "\(job)\n\(serve.log)")
        let view = try JSONDecoder().decode(View.self, from: try JSONSerialization.data(withJSONObject: job))
        let ladder = try #require(view.ladder)
        let video = ladder.renditions.filter { $0.kind == "video" }
        #expect(!video.isEmpty && video.allSatisfy { $0.frames == view.outputFrames && $0.bytes > 0 }, "\(job)")
        #expect(ladder.files?.contains("ladder.json") == true && ladder.files?.contains("ladder.html") == true)
        let record = try serve.request("GET", "/v1/jobs/\(id)/files/ladder.json", token: serve.adminToken)
        #expect(record.status == 200 && (record.json()?["rungs"] as? [Any])?.count == video.count, "\(record.text.prefix(300))")
        // The probe ran under its own id, beside the job: its attempts are in the store, not the job's segments.
        let probeAttempts = try serve.query("SELECT COUNT(*) FROM attempts WHERE jobId = '\(id)-probe'")
        #expect(Int(probeAttempts.first?.first ?? "0") ?? 0 > 0, "no probe attempts")
        #expect(serve.log.contains("ladder chosen"), "\(serve.log)")
    }

    @Test("cancelling an automatic ladder while its probe waits for a busy agent stops the probe: the agent never encodes it")
    func cancelStopsProbe() throws {
        let dir = TestPaths.scratch("ladder-cancel-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4").path, long = dir.appendingPathComponent("long.mp4").path
        for (path, size, seconds) in [(clip, "320x240", 2), (long, "640x480", 30)] {
            let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25:duration=\(seconds)",
                                                     "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", path], timeout: 120)
            try #require(made.status == 0, "\(made.stderr)")
        }
        let serve = try ServeProcess(directory: dir, inputRoot: dir.path)
        defer { serve.stop() }
        // One agent, one slot, nothing received ahead: while it encodes the long job's one
        // segment, the probe waits in the dispatcher's queue and the ladder job is planning.
        let agent = try serve.startAgent(name: "busy-agent", extra: ["--insecure", "--prefetch", "0"])
        defer { agent.terminate() }
        let busy = try serve.cli(["submit", long, "-o", "long.mp4", "--preset", "veryslow", "--segment-seconds", "30", "--no-analysis"], timeout: 60)
        try #require(busy.status == 0, "\(busy.stderr)")
        let busyID = busy.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let started = Date().addingTimeInterval(60)
        func working(_ job: String) throws -> Int {
            (try serve.request("GET", "/v1/jobs/\(job)", token: serve.adminToken).json()?["progress"] as? [String: Any])?["agents"] as? Int ?? 0
        }
        while try working(busyID) == 0, Date() < started { usleep(100_000) }
        try #require(try working(busyID) == 1, "\(serve.log)")
        let auto = try serve.cli(["submit", clip, "-o", "auto/", "--ladder", "auto", "--package", "hls", "--segment-seconds", "1",
                                  "--package-seconds", "1", "--preset", "ultrafast", "--no-analysis"], timeout: 60)
        try #require(auto.status == 0, "\(auto.stderr)")
        let id = auto.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(60)
        while !serve.log.contains("ladder probe dispatched"), Date() < deadline { usleep(100_000) }
        try #require(serve.log.contains("ladder probe dispatched"), "\(serve.log)")
        // Planning, but not silent about it: the probe's progress is in the view and in `status`.
        // (the dispatcher publishes its snapshot ten times a second)
        var planning: [String: Any]?, probe: [String: Any]?
        for _ in 0..<50 where probe == nil {
            planning = try serve.request("GET", "/v1/jobs/\(id)", token: serve.adminToken).json()
            probe = (planning?["ladder"] as? [String: Any])?["probe"] as? [String: Any]
            if probe == nil { usleep(100_000) }
        }
        #expect(planning?["state"] as? String == "planning" && probe?["segmentsDone"] as? Int == 0
                && (probe?["segmentsTotal"] as? Int ?? 0) > 0 && probe?["agents"] as? Int == 0, "\(planning ?? [:])")
        let status = try serve.cli(["status", id])
        #expect(status.stdout.contains("probe:     0/\(probe?["segmentsTotal"] as? Int ?? -1) probe encodes, 0 agents (choosing the rungs)"),
                "\(status.stdout)")
        let cancelled = try serve.cli(["cancel", id])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(try serve.cli(["cancel", busyID]).status == 0)

        // A plain job after it: once the agent was free of the long one, it would have had the probe first.
        let plain = try serve.cli(["submit", clip, "-o", "plain.mp4", "--preset", "ultrafast", "--no-analysis", "--segment-seconds", "1"], timeout: 60)
        try #require(plain.status == 0, "\(plain.stderr)")
        let done = try serve.waitForJob(plain.stdout.trimmingCharacters(in: .whitespacesAndNewlines), timeout: 300)
        #expect(done["state"] as? String == "done", "\(done)")
        let job = try serve.waitForJob(id, timeout: 10)
        #expect(job["state"] as? String == "cancelled")
        let probeAttempts = try serve.query("SELECT COUNT(*) FROM attempts WHERE jobId = '\(id)-probe'")
        #expect(probeAttempts.first?.first == "0", "the cancelled job's probe was encoded")
    }

    @Test("a coordinator killed after the probe chose resumes the job with the stored rungs, without probing again")
    func restartKeepsChoice() throws {
        let dir = TestPaths.scratch("ladder-restart-serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("clip.mp4").path
        let made = try Subprocess.run("ffmpeg", ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=8",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", clip], timeout: 120)
        try #require(made.status == 0, "\(made.stderr)")
        let serve = try ServeProcess(directory: dir, inputRoot: dir.path)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "restart-agent")
        defer { agent.terminate() }

        let submitted = try serve.cli(["submit", clip, "-o", "auto/", "--ladder", "auto", "--package", "hls", "--package-seconds", "1",
                                       "--segment-seconds", "1", "--preset", "ultrafast", "--no-analysis"], timeout: 60)
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let deadline = Date().addingTimeInterval(240)
        while !serve.log.contains("ladder chosen"), Date() < deadline { usleep(50_000) }
        try #require(serve.log.contains("ladder chosen"), "\(serve.log)")
        try serve.killAndRestart()

        let job = try serve.waitForJob(id, timeout: 300)
        #expect(job["state"] as? String == "done", "\(job)\n\(serve.allLogs)")
        #expect(serve.log.contains("resuming job"), "the job was done before the kill: \(serve.allLogs)")
        #expect(!serve.log.contains("ladder probe dispatched"), "the restarted coordinator probed again")
        let record = try serve.request("GET", "/v1/jobs/\(id)/files/ladder.json", token: serve.adminToken)
        let rungs = (record.json()?["rungs"] as? [Any])?.count ?? -1
        let view = try JSONDecoder().decode(View.self, from: try JSONSerialization.data(withJSONObject: job))
        #expect(view.ladder?.renditions.filter { $0.kind == "video" }.count == rungs, "\(record.text.prefix(300))")
    }
}
