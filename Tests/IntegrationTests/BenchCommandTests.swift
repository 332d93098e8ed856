import Foundation
import GopfarmBench
import GopfarmCommon
import Testing
import TestSupport

/// `gopfarm bench` for real: its own `gopfarm serve` and agent processes on this machine, the
/// same job at 1 and 2 agents, the table as it goes and the files at the end; Ctrl-C leaves
/// nothing behind; weak scaling's cut inputs hold whole GOPs.
@Suite("gopfarm bench", .serialized)
struct BenchCommandTests {
    @Test("a local bench at 1 and 2 agents prints its table and writes bench.json, bench.csv and bench.html")
    func localBench() throws {
        let input = try Fixture.lossyClip(seconds: 8)
        let dir = TestPaths.scratch("bench")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try Subprocess.run(TestPaths.gopfarm, ["bench", input, "--agents", "1,2", "--segment-seconds", "2", "--preset", "ultrafast",
                                                         "-o", dir.path], timeout: 180)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(!out.stderr.contains("error"), "\(out.stderr)")

        // The table: header, one line per size (fixed columns), then what the figures mean.
        let lines = out.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count >= 4, "\(out.stdout)")
        #expect(lines[0] == BenchTable.header)
        #expect(lines[1].hasPrefix("   1 ") && lines[1].count == lines[0].count && lines[1].contains("1.00×"), "\(lines[1])")
        #expect(lines[2].hasPrefix("   2 ") && lines[2].count == lines[0].count && lines[2].contains(" dB "), "\(lines[2])")
        #expect(lines.contains("speedup and efficiency relative to N=1"))
        #expect(lines.contains(BenchMode.local.caption))
        #expect(lines.last?.hasPrefix("wrote \(dir.path)/bench.json") == true)

        // bench.json: both sizes, figures from each job's recorded timings, maxAgents honoured.
        let result = try BenchResult.decode(try Data(contentsOf: dir.appendingPathComponent("bench.json")))
        #expect(result.mode == .local && result.sizes.map(\.agents) == [1, 2] && result.runs.count == 2)
        for run in result.runs {
            let t = run.job.timings
            #expect(t.probeSeconds != nil && t.dispatchStart != nil && t.dispatchEnd != nil && t.stitchSeconds != nil)
            #expect(!t.attempts.isEmpty && run.figures.makespan > 0 && run.figures.bytesOnLinks > 0)
            #expect(Set(t.attempts.filter { $0.outcome != "moved" }.map(\.agent)).count <= run.agents, "job \(run.job.id): \(t.attempts)")
            #expect(run.job.outputFrames == 200 && (run.job.outputBytes ?? 0) > 0 && run.job.psnr != nil)
        }
        #expect(result.sizes[0].speedup == 1 && result.sizes[1].speedup > 0 && result.amdahl != nil)

        // bench.csv: a header and one line per size; bench.html: every plot.
        let csv = try String(contentsOf: dir.appendingPathComponent("bench.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3 && csv[0].hasPrefix("agents,runs,makespan_s") && csv[2].hasPrefix("2,1,"))
        let html = try String(contentsOf: dir.appendingPathComponent("bench.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<svg").count - 1 == 5, "speedup, efficiency, time bars, 2 timelines")
        #expect(html.contains(">agent-1<") || html.contains(">agent-2<"))
    }

    @Test("Ctrl-C stops the bench's serve and agents and removes its temporary directory and its empty -o")
    func interrupted() throws {
        // Interrupt while the first job runs: the farm is up once the table's header is out.
        let (text, out) = try Self.interruptBench(when: { $0.contains("makespan") }, name: "bench-int")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(!FileManager.default.fileExists(atPath: out.path), "the bench left its -o directory with nothing measured: \(text)")
    }

    /// QA: `-o DIR` was left empty after Ctrl-C, with a size already measured.
    @Test("Ctrl-C after a size was measured writes that size's files")
    func interruptedAfterASize() throws {
        // The row of N=1 is out (its runs are measured) and N=2 runs.
        let (text, out) = try Self.interruptBench(when: { $0.split(separator: "\n").contains { $0.hasPrefix("   1  ") } }, name: "bench-int-1")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(text.contains("wrote the 1 run measured to \(out.path)"), "\(text)")
        let json = try #require(try? Data(contentsOf: out.appendingPathComponent("bench.json")), "no bench.json: \(text)")
        let result = try BenchResult.decode(json)
        #expect(result.runs.map(\.agents) == [1], "\(result.runs.map(\.agents))")
        for name in ["bench.csv", "bench.html"] { #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "no \(name)") }
    }

    /// A local bench at 1 and 2 agents, SIGINT once `ready` holds for its output; checks that it
    /// ended with 130 and stopped its processes. Returns its output and its `-o` directory.
    static func interruptBench(when ready: (String) -> Bool, name: String) throws -> (String, URL) {
        let input = try Fixture.lossyClip(seconds: 8)
        let dir = TestPaths.scratch(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("bench.log")
        // The result directory outside the scratch one, so its removal (or not) is what the bench did.
        let out = URL(fileURLWithPath: dir.path + "-out")
        let bench = try Subprocess.start(TestPaths.gopfarm, ["bench", input, "--agents", "1,2", "--segment-seconds", "2",
                                                             "--preset", "ultrafast", "-o", out.path], log: log)
        let work = "gopfarm-bench-\(bench.processIdentifier)-"
        let deadline = Date().addingTimeInterval(120)
        while !ready((try? String(contentsOf: log, encoding: .utf8)) ?? ""), bench.isRunning, Date() < deadline { usleep(50_000) }
        try #require(bench.isRunning, "\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let children = Subprocess.children(of: bench.processIdentifier)
        #expect(children.count == 3, "serve and 2 agents")
        kill(bench.processIdentifier, SIGINT)
        let stop = Date().addingTimeInterval(20)
        while bench.isRunning, Date() < stop { usleep(50_000) }
        #expect(!bench.isRunning)
        bench.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(bench.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted"), "\(text)")
        for pid in children { #expect(kill(pid, 0) != 0 || Self.isZombie(pid), "process \(pid) outlived the bench") }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        #expect(!left.contains { $0.hasPrefix(work) }, "the bench's temporary directory is left")
        return (text, out)
    }

    @Test("weak scaling cuts whole GOPs off the front of the input")
    func weakScalingCut() throws {
        let input = try Fixture.lossyClip(seconds: 8)  // 2 s GOPs
        let dir = TestPaths.scratch("bench-cut")
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFrames = try MediaProbe(path: input).info.keyFrames.map(\.time)  // x264 puts them at 0, 1.96, 3.92, 5.16 … s
        let half = try InputCut.prefix(of: input, share: 0.5, into: dir, name: "half.mkv")
        let nearest = try #require(keyFrames.dropFirst().min { abs($0 - 4) < abs($1 - 4) })
        #expect(half.path.hasSuffix("half.mkv") && abs(half.seconds - nearest) < 0.001 && half.share == 0.5, "\(half) \(keyFrames)")
        let probe = try MediaProbe(path: half.path)
        #expect(probe.index.shownCount == Int((nearest * 25).rounded()))
        #expect(probe.info.streams.contains { $0.type == "audio" })
        #expect(abs(probe.info.duration - nearest) < 0.1, "\(probe.info.duration)")
        let whole = try InputCut.prefix(of: input, share: 1, into: dir, name: "whole.mkv")
        #expect(whole.path == input && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("whole.mkv").path))
    }

    @Test("usage errors are one sentence and status 64")
    func usageErrors() throws {
        for (arguments, text) in [(["--agents", "0,2"], "--agents takes a list"),
                                  (["--link", "1gbit"], "add --emulate-hosts"),
                                  (["--url", "http://127.0.0.1:1", "--emulate-hosts"], "give one of them"),
                                  (["--emulate-hosts", "--host-cpus", "4", "--agents", "1,8"], "cores"),
                                  // As in transcode and submit (QA: it exited 1, after probing the input).
                                  (["--crf", "99"], "crf for libx264 must be between 0 and 51, not 99")] {
            let out = try Subprocess.run(TestPaths.gopfarm, ["bench", "in.mp4"] + arguments, timeout: 30)
            #expect(out.status == 64 && out.stderr.contains(text), "\(arguments): \(out.stderr)")
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
