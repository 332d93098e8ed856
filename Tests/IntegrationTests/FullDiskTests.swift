import Foundation
import Testing
import TestSupport

/// A coordinator whose data directory fills up while it stitches: a real `gopfarm serve` on a
/// 40 MiB tmpfs, where the spool of a lossless job fits and its output does not.
@Suite("Full disk", .serialized, .enabled(if: Tmpfs.available, "needs root to mount a tmpfs"))
struct FullDiskTests {
    @Test("a job whose output finds the disk full fails saying so, and its spool goes at the next sweep")
    func outputOnAFullDisk() throws {
        let dir = TestPaths.scratch("full-disk")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data")
        let mount = try Tmpfs(at: data, size: "40m")
        defer { mount.remove() }
        // A 1 s sweep (a quarter of the shortest keep) instead of one a minute.
        let serve = try ServeProcess(directory: dir, arguments: ServeProcess.insecure + ["--keep-uploads", "4s"])
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "a1")
        defer { agent.terminate() }
        // About 8 s of noise at 480x270 in FFV1: some 25 MiB of segments, as much again of output.
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
    }
}
