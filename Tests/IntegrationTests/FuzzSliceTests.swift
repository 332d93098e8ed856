import Foundation
import Testing
import TestSupport

/// A fixed-seed slice of the fuzz harness (`bench/fuzz.py`, README "Damaged input"): 40 damaged
/// MP4, TS, MKV and WebM files through `gopfarm transcode --codec ffv1` with 1 and with 2 local
/// agents. Every run must either succeed or fail within the timeout with exactly one
/// `gopfarm: error:` line, leave nothing in its output folder and no process behind, and never
/// crash. The full run (1,000 files, and `serve`) is `bash bench/fuzz.sh --files 1000 --serve`.
@Suite("Fuzz slice")
struct FuzzSliceTests {
    @Test("40 damaged files, --agents 1 and 2: no crash, no hang, one error line, nothing left behind")
    func slice() throws {
        let work = TestPaths.scratch("fuzz-slice")
        let script = TestPaths.packageRoot.appendingPathComponent("bench/fuzz.py").path
        let out = try Subprocess.run("python3", [script, "--files", "40", "--seed", "2026", "--agents", "1,2", "--timeout", "30",
                                                 "--bin", TestPaths.binaries.path, "--work", work.path], timeout: 900)
        let failures = (try? String(contentsOf: work.appendingPathComponent("failures.txt"), encoding: .utf8)) ?? ""
        #expect(!out.timedOut, "the harness itself ran over 15 minutes")
        #expect(out.status == 0, "\(out.stdout)\n\(out.stderr.suffix(3000))\n\(failures.prefix(6000))")
        // The summary's last line counts the runs: 40 files × 2 agent counts.
        #expect(out.stdout.contains("80 runs of 40 files"), "\(out.stdout)")
        if out.status == 0 { try? FileManager.default.removeItem(at: work) }
    }
}
