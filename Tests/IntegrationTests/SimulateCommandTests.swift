import Foundation
import Testing
import TestSupport

/// `gopfarm simulate` as a user runs it: usage errors, `--json`, and a signal that ends it.
@Suite("gopfarm simulate")
struct SimulateCommandTests {
    @Test("usage errors are one sentence and status 64")
    func usageErrors() throws {
        for (arguments, text) in [(["--chaos", "--cost-scale", "-1"], "--cost-scale must be more than 0, not -1"),
                                  (["--bench", "b.json", "--film", "60", "--link", "fast"], "link rate 'fast' is not understood"),
                                  (["--chaos", "--seeds", "0"], "--seeds must be at least 1"),
                                  (["--chaos", "--seed", "3", "--seeds", "10"], "--seed replays one seed; drop --seeds, or give a range with --first-seed and --seeds"),
                                  (["--chaos", "--seed", "3", "--first-seed", "1", "--seeds", "10"], "drop --seeds and --first-seed"),
                                  (["--seed", "3"], "--seed goes with --chaos"),
                                  (["--bench", "b.json", "--first-seed", "3"], "--first-seed goes with --chaos")] {
            let out = try Subprocess.run(TestPaths.gopfarm, ["simulate"] + arguments, timeout: 30)
            #expect(out.status == 64 && out.stderr.contains(text), "\(arguments): \(out.status) \(out.stderr)")
        }
    }

    @Test("--chaos --json is one JSON object, for many seeds and for one")
    func chaosJSON() throws {
        let many = try Subprocess.run(TestPaths.gopfarm, ["simulate", "--chaos", "--seeds", "5", "--json"], timeout: 120)
        #expect(many.status == 0, "\(many.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(many.stdout.utf8)) as? [String: Any], "\(many.stdout)")
        #expect(report["seeds"] as? Int == 5 && (report["failed"] as? [Any])?.isEmpty == true, "\(report)")
        let one = try Subprocess.run(TestPaths.gopfarm, ["simulate", "--chaos", "--seed", "3", "--json"], timeout: 120)
        let seed = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any], "\(one.stdout)")
        #expect(seed["seed"] as? Int == 3 && seed["violations"] as? [String] == [], "\(seed)")
    }

    /// QA: Ctrl-C and SIGTERM did nothing (their handlers raise a flag only transcodes read);
    /// a 100,000-seed run went on for minutes.
    @Test("SIGINT ends a long chaos run at once")
    func interrupted() throws {
        let dir = TestPaths.scratch("simulate-int")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = try Subprocess.start(TestPaths.gopfarm, ["simulate", "--chaos", "--seeds", "1000000"], log: dir.appendingPathComponent("log"))
        defer { if process.isRunning { process.terminate() } }
        Thread.sleep(forTimeInterval: 1)
        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        #expect(!process.isRunning, "still running 10 s after SIGINT")
        if !process.isRunning {
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        }
    }
}
