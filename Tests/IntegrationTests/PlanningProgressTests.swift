import Foundation
import Testing
import TestSupport

/// A job `serve` is still planning says what it does, as `transcode` does on the command line:
/// the probe's share of the input read (an hour of H.264 in AVI is minutes of decoding for the
/// frames' order), then, probed with no agent connected, that it waits for one. Before, the job
/// sat in `planning` with nothing to show for as long as the probe took.
@Suite("Planning progress in serve")
struct PlanningProgressTests {
    struct View: Decodable {
        var state: String
        var waitingForAgents: Bool?
        var reading: Reading?
        struct Reading: Decodable { var step: String; var fraction: Double }
    }

    @Test("the job view, status and submit --wait on a terminal show the probe's share, then the wait for agents")
    func probeShareIsShown() throws {
        let dir = TestPaths.scratch("planning-progress")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 6000 frames of H.264 with B-frames in AVI: the probe decodes them all for their order
        // (about 2 s here), long enough to be seen half way.
        let input = dir.appendingPathComponent("long-bframes.avi").path
        let made = try Subprocess.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=240",
                                                 "-c:v", "libx264", "-preset", "ultrafast", "-bf", "3", "-g", "50", input], timeout: 300)
        try #require(made.status == 0, "\(made.stderr)")
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }

        let log = dir.appendingPathComponent("wait.log")
        let submit = [TestPaths.gopfarm, "submit", input, "-o", dir.appendingPathComponent("out.mp4").path, "--preset", "ultrafast",
                      "--no-analysis", "--wait", "--url", serve.baseURL, "--token", serve.adminToken]
        let waiter = try Subprocess.start("/usr/bin/script", ["-q", "-e", "-c", submit.map { "'" + $0 + "'" }.joined(separator: " "), "/dev/null"],
                                          log: log)
        defer { if waiter.isRunning { waiter.terminate() } }
        func screen() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        var deadline = Date().addingTimeInterval(60)
        var id: String?
        while id == nil, Date() < deadline {
            id = screen().range(of: #"job [0-9a-f]+ submitted"#, options: .regularExpression)
                .map { String(screen()[$0].split(separator: " ")[1]) }
            if id == nil { usleep(10_000) }
        }
        let job = try #require(id, "\(screen())\n\(serve.log)")

        // Polled as fast as the API answers: the views while the probe decodes, then the wait.
        var views: [View] = []
        deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let r = try? serve.request("GET", "/v1/jobs/\(job)", token: serve.adminToken),
               let view = try? JSONDecoder().decode(View.self, from: r.body) {
                views.append(view)
                if view.waitingForAgents == true { break }
            }
            usleep(20_000)
        }
        let decoding = views.compactMap(\.reading).filter { $0.step == "decoding" }.map(\.fraction)
        #expect(decoding.contains { $0 > 0 && $0 < 1 }, "no share seen half way: \(decoding)")
        #expect(decoding == decoding.sorted(), "the share went back: \(decoding)")
        #expect(views.allSatisfy { $0.reading == nil || $0.state == "planning" })
        let last = try #require(views.last)
        #expect(last.waitingForAgents == true && last.reading == nil, "\(views.suffix(3))")

        // `status` names the wait and no reading once the probe is over.
        let status = try serve.cli(["status", job], token: serve.adminToken)
        #expect(status.stdout.contains("waiting:   for an agent") && !status.stdout.contains("planning:"), "\(status.stdout)")
        // The --wait on a terminal drew the same line as transcode's, then said it waits.
        deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !screen().contains("is waiting for an agent") { usleep(100_000) }
        let name = (input as NSString).lastPathComponent
        #expect(screen().range(of: "decoding \(name) for its frames' order… [0-9]+%", options: .regularExpression) != nil, "\(screen())")
        #expect(screen().contains("job \(job) is waiting for an agent that takes work"), "\(screen())")

        let cancel = try serve.cli(["cancel", job], token: serve.adminToken)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        deadline = Date().addingTimeInterval(30)
        while waiter.isRunning, Date() < deadline { usleep(100_000) }
        #expect(!waiter.isRunning)
    }
}
