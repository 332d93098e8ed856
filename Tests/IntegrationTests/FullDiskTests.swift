import Foundation
import Testing
import TestSupport

/// A coordinator whose data directory fills up while it stitches: a real `gopfarm serve` on a
/// 50 MiB tmpfs, where the spool of a lossless job fits (with the result being received, which
/// waits on the same disk) and its output does not.
@Suite("Full disk", .serialized, .enabled(if: Tmpfs.available, "needs root to mount a tmpfs"))
struct FullDiskTests {
    @Test("a job whose output finds the disk full fails saying so, and its spool goes at the next sweep")
    func outputOnAFullDisk() throws {
        let dir = TestPaths.scratch("full-disk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        let mount = try Tmpfs(at: data, size: "50m")
        defer { mount.remove() }
        // A 1 s sweep (a quarter of the shortest keep) instead of one a minute.
        let serve = try ServeProcess(directory: dir, arguments: ServeProcess.insecure + ["--keep-uploads", "4s"])
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "a1")
        defer { agent.terminate() }
        // About 8 s of noise at 640x360 in FFV1: four results of 9.4 MiB (38 MiB in the spool, the
        // last one twice while it is spooled: 47 MiB), as much again of output.
        let input = try Fixture.lossyClip(seconds: 8)
        let id = try serve.submit(input, output: "o.mkv", ["--codec", "ffv1", "--segment-seconds", "2", "--no-analysis"])
        let job = try serve.waitForJob(id, timeout: 180)
        let error = job["error"] as? String ?? ""
        #expect(job["state"] as? String == "failed"
                && error.hasPrefix("the coordinator's disk is full: no room for the output in \(data.path)/outputs/\(id); free space there and run the job again"),
                "\(job)\n\(serve.log)")
        // Nothing of the output is left, and the spool goes at the next sweep, not in 7 days.
        let outputs = data.appendingPathComponent("outputs/\(id)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: outputs.path)) ?? []).isEmpty)
        func spoolBytes() -> Int {
            let spool = data.appendingPathComponent("spool")
            return ((try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []).reduce(0) { total, name in
                total + ((try? FileManager.default.attributesOfItem(atPath: spool.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
            }
        }
        let deadline = Date().addingTimeInterval(30)
        while spoolBytes() > 0, Date() < deadline { usleep(200_000) }
        #expect(spoolBytes() == 0, "\(serve.log)")
        // Nor an empty folder where its output would have been (the same sweep removes it, a
        // moment after the spool: waited for as the spool is).
        while FileManager.default.fileExists(atPath: outputs.path), Date() < deadline { usleep(200_000) }
        #expect(!FileManager.default.fileExists(atPath: outputs.path), "\(outputs.path) is still there")
    }

    @Test("/healthz says failing and submissions are refused, each with a sentence, while the data directory's disk is full; ok once space is back")
    func healthOnAFullDisk() throws {
        let dir = TestPaths.scratch("full-disk-health")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        let mount = try Tmpfs(at: data, size: "16m")
        defer { mount.remove() }
        let serve = try ServeProcess(directory: dir, arguments: ServeProcess.insecure)
        defer { serve.stop() }
        #expect(try serve.request("GET", "/healthz").status == 200, "\(serve.log)")

        // Fill the disk for real, as a runaway upload or another program would.
        let filler = data.appendingPathComponent("filler")
        FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(count: 1 << 20)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()
        let full = try serve.request("GET", "/healthz")
        let problems = full.json()?["problems"] as? [String] ?? []
        #expect(full.status == 503 && full.json()?["status"] as? String == "failing"
                && problems.contains { $0.hasPrefix("the coordinator's disk is full") && $0.contains(data.path) },
                "\(full.status) \(full.text)")

        // A job cannot even be cut into segments there: refused at once, with the figures.
        let submit = try serve.cli(["submit", try Fixture.h264BFramesMP4.path(), "-o", "o.mp4"], token: serve.adminToken)
        #expect(submit.status == 1 && submit.stderr.hasPrefix("gopfarm: error: the coordinator's data directory has ")
                && submit.stderr.contains("free, and a job on this ") && submit.stderr.contains("delete finished jobs (gopfarm jobs delete ID)"),
                "\(submit.status) \(submit.stderr)")

        try FileManager.default.removeItem(at: filler)
        let back = try serve.request("GET", "/healthz")
        #expect(back.status == 200 && back.text == "{\"status\":\"ok\"}\n", "\(back.status) \(back.text)")
    }
}
