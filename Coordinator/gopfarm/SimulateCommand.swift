import ArgumentParser
import Foundation
import GopfarmBench
import GopfarmCommon
import GopfarmCoordinator
import Synchronization

/// `gopfarm simulate`: the dispatcher's own core on a virtual clock. Predicts makespans (a
/// bench's sizes and beyond, or a long film on hundreds of hosts) and runs seeded chaos
/// schedules against the dispatcher's invariants.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Predict a farm's makespan with the dispatcher's own core on a virtual clock, or run seeded chaos schedules against it.",
        discussion: """
            Each size a bench measured (and more), predicted from its smallest run's recorded costs, beside the measured makespan:
              gopfarm simulate --bench bench-out/bench.json --agents 16,32

            A 2-hour film (30 fps, a key frame every 2 s) on 100 and 1,000 hosts like the bench's, with per-frame costs scaled from it:
              gopfarm simulate --bench bench.json --film 7200 --cost-scale 2.25 \\
                  --agents 100,1000

            10,000 seeded schedules of crashes, stalls, cuts, late, duplicated and forged results, drains, cancels and coordinator restarts; a failing seed prints the command that replays it (--chaos --seed N):
              gopfarm simulate --chaos --seeds 10000
            """)

    @Flag(help: "Run seeded chaos schedules and check the dispatcher's invariants.")
    var chaos = false

    @Option(parsing: .unconditional, help: "With --chaos: replay this one seed and say where everything stood.")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "With --chaos: how many seeds, from --first-seed (default: 1000).")
    var seeds: Int?

    @Option(parsing: .unconditional, help: "With --chaos: the first seed (default: 0).")
    var firstSeed: UInt64?

    @Option(help: ArgumentHelp("A bench.json whose smallest run gives the costs.", valueName: "file"))
    var bench: String?

    @Option(help: ArgumentHelp("Cluster sizes to predict (with --bench: beyond those it measured).", valueName: "list"))
    var agents: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Predict a film of this many seconds instead of the bench's input.", valueName: "seconds"))
    var film: Double?

    @Option(parsing: .unconditional, help: "With --film: frames per second, key frame interval (s) and target segment length (s).")
    var fps: Double = 30
    @Option(parsing: .unconditional, help: "With --film: seconds between key frames.")
    var keyFrameSeconds: Double = 2
    @Option(parsing: .unconditional, help: "With --film: target segment length in seconds.")
    var segmentSeconds: Double = 10
    @Option(parsing: .unconditional, help: "With --film: multiply the measured per-frame costs (2.25: 1080p from a 720p bench).")
    var costScale: Double = 1
    @Option(help: "With --film: each host's link (default: the bench's, else 1gbit).")
    var link: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        CLIEnvironment.bootstrap(verbose: false)
        // Pure computation with nothing to clean up: Ctrl-C and SIGTERM end it at once (the
        // handlers above only raise a flag this loop never reads: QA found it running on).
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        guard costScale > 0, costScale.isFinite else { throw ValidationError("--cost-scale must be more than 0, not \(JobRules.show(costScale))") }
        // A usage error before any file is read, as in bench.
        if let link { try Self.checkLink(link) }
        try checkChaosOptions()
        do {
            if chaos { try runChaos(); return }
            guard let bench else { throw ValidationError("give --bench FILE (a bench.json) for predictions, or --chaos") }
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: bench)) } catch {
                throw BenchError.input("cannot read \(bench): \((error as NSError).localizedFailureReason ?? "no such file")")
            }
            let result: BenchResult
            do { result = try BenchResult.decode(data) } catch { throw BenchError.input("\(bench) is not a bench.json written by gopfarm bench") }
            let sizes = try agents.map(Self.sizes) ?? []
            if let film { try predictFilm(result, seconds: film, sizes: sizes.isEmpty ? [1, 10, 100, 1000] : sizes); return }
            let prediction = try BenchPrediction.predict(result, extra: sizes)
            if json { try CLIEnvironment.printJSON(prediction); return }
            var t = "predicted with the dispatcher's core from the N=\(result.baseline ?? 1) run of \(bench) (serial part \(Self.s(prediction.model.serialSeconds)))\n"
            t += "    N   measured  predicted   error  utilization\n"
            for r in prediction.rows {
                t += String(format: "%5d  ", r.agents) + Self.right(r.measured.map(Self.s) ?? "-", 9) + "  " + Self.right(Self.s(r.predicted), 9)
                    + "  " + Self.right(r.error.map { String(format: "%+.1f%%", $0 * 100) } ?? "-", 6) + String(format: "  %11.2f\n", r.utilization)
            }
            Console.out(t)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CLIEnvironment.fail(error)
        }
    }

    /// The seed options go with --chaos, and one seed replayed is not a range of them: an option
    /// that would be ignored is a usage error.
    private func checkChaosOptions() throws {
        let given = [(seed != nil, "--seed"), (seeds != nil, "--seeds"), (firstSeed != nil, "--first-seed")].filter(\.0).map(\.1)
        if !chaos, let first = given.first { throw ValidationError("\(first) goes with --chaos") }
        if seed != nil, given.count > 1 {
            throw ValidationError("--seed replays one seed; drop \(given.dropFirst().joined(separator: " and ")), or give a range with --first-seed and --seeds")
        }
    }

    private func runChaos() throws {
        if let seed {
            let run = ChaosRun.run(seed: seed)
            if json {
                try CLIEnvironment.printJSON(ChaosReport.Seed(seed: seed, faults: run.faults, virtualSeconds: run.virtualSeconds, jobs: run.jobs,
                                                              violations: run.violations, diagnosis: run.diagnosis))
                if !run.violations.isEmpty { throw ExitCode(1) }
                return
            }
            Console.out("seed \(seed): \(TranscodeCommand.count(run.faults, "fault")), \(String(format: "%.0f", run.virtualSeconds)) virtual seconds; jobs: \(run.jobs.joined(separator: ", "))\n")
            for v in run.violations { Console.out("  broken: \(v)\n") }
            for d in run.diagnosis { Console.out("  \(d)\n") }
            if !run.violations.isEmpty { throw ExitCode(1) }
            return
        }
        let seeds = self.seeds ?? 1000, firstSeed = self.firstSeed ?? 0
        guard seeds > 0 else { throw ValidationError("--seeds must be at least 1") }
        let started = MonotonicClock.now()
        let failures = Mutex<[ChaosRun]>([])
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var s = w
            while s < seeds {
                let run = ChaosRun.run(seed: firstSeed + UInt64(s))
                if !run.violations.isEmpty { failures.withLock { $0.append(run) } }
                s += workers
            }
        }
        let failed = failures.withLock { $0 }.sorted { $0.seed < $1.seed }
        let seconds = MonotonicClock.now() - started
        if json {
            try CLIEnvironment.printJSON(ChaosReport(firstSeed: firstSeed, seeds: seeds, seconds: seconds,
                                                     failed: failed.map { ChaosReport.Failure(seed: $0.seed, violation: $0.violations.first ?? "", replay: $0.replay) }))
            if !failed.isEmpty { throw ExitCode(1) }
            return
        }
        for run in failed {
            Console.out("seed \(run.seed): \(run.violations.first ?? "")\n  replay: \(run.replay)\n")
        }
        Console.out("\(seeds - failed.count) of \(seeds) seeds kept every invariant (seeds \(firstSeed)..<\(firstSeed + UInt64(seeds)), \(String(format: "%.1f", seconds)) s on \(workers) cores)\n")
        if !failed.isEmpty { throw ExitCode(1) }
    }

    private func predictFilm(_ bench: BenchResult, seconds: Double, sizes: [Int]) throws {
        guard seconds > 0, seconds <= 86_400 * 30 else { throw ValidationError("--film is from 1 second to 30 days, not \(JobRules.show(seconds)) s") }
        guard fps >= 0.1, fps <= 240 else { throw ValidationError("--fps is from 0.1 to 240, not \(JobRules.show(fps))") }
        guard keyFrameSeconds > 0, segmentSeconds > 0 else {
            throw ValidationError("--key-frame-seconds and --segment-seconds must be more than 0")
        }
        let base = try BenchPrediction.predict(bench).model
        let frames = Int(seconds * fps)
        var model = base.scaled(to: frames)
        model.secondsPerFrame = model.secondsPerFrame.map { $0 * costScale }
        let index = CostModel.syntheticIndex(frames: frames, keyFrameInterval: max(1, Int((keyFrameSeconds * fps).rounded())))
        let timeBase = Rational(1000, Int32(fps * 1000))
        let linkBits = try link.map { Double(try LinkRate(parsing: $0).bitsPerSecond) } ?? bench.hosts?.linkBitsPerSecond.map(Double.init) ?? 1e9
        var rows: [FilmRow] = []
        var baseline: Double?
        for n in sizes {
            let plan = try SegmentPlanner(targetSeconds: segmentSeconds, slots: n).plan(index, timeBase: timeBase)
            let started = MonotonicClock.now()
            let outcome = FarmPrediction.simulate(plan: plan, model: model, hosts: SimulationSpec.AgentGroup(count: n, linkBitsPerSecond: linkBits),
                                                  minimumSplitFrames: DispatchSplitter.minimumFrames(targetSeconds: segmentSeconds, framesPerSecond: fps))
            let one = baseline ?? outcome.makespan * Double(n)
            if baseline == nil { baseline = outcome.makespan * Double(n) }
            rows.append(FilmRow(agents: n, segments: plan.segments.count, makespan: outcome.makespan, efficiency: one / (Double(n) * outcome.makespan),
                                utilization: outcome.utilization, coordinatorLoad: outcome.coordinatorLoad, nicLoad: outcome.nicLoad,
                                simulatorSeconds: MonotonicClock.now() - started, requeues: outcome.counters.requeues,
                                speculative: outcome.counters.speculative))
        }
        let limits = FilmLimits(model: model, segmentSeconds: segmentSeconds, fps: fps, linkBitsPerSecond: linkBits)
        if json { try CLIEnvironment.printJSON(FilmPrediction(rows: rows, limits: limits)); return }
        var t = String(format: "a %.0f s film at %.0f fps, key frame every %.1f s, %.0f s segments; per-frame costs of the bench ×%.2f; hosts of 1 slot on %@ links\n",
                       seconds, fps, keyFrameSeconds, segmentSeconds, costScale, LinkRate(bitsPerSecond: UInt64(linkBits)).description)
        t += "      N  segments    makespan  efficiency  utilization  coordinator loop  coordinator NIC  requeued  copies\n"
        for r in rows {
            t += String(format: "%7d  %8d  ", r.agents, r.segments) + Self.right(Self.s(r.makespan), 10)
                + String(format: "  %10.2f  %11.2f  %15.0f%%  %14.0f%%  %8d  %6d\n", r.efficiency, r.utilization, r.coordinatorLoad * 100,
                         r.nicLoad * 100, r.requeues, r.speculative)
        }
        t += limits.text
        Console.out(t)
    }

    static func checkLink(_ text: String) throws {
        do { _ = try LinkRate(parsing: text) } catch { throw ValidationError(error.message) }
    }

    static func sizes(_ text: String) throws -> [Int] {
        let list = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !list.isEmpty, list.count == text.split(separator: ",").count, list.allSatisfy({ (1...100_000).contains($0) }) else {
            throw ValidationError("--agents takes a comma-separated list of sizes from 1 to 100000, such as 1,10,100,1000")
        }
        // Smallest first, each once: efficiency is against the smallest (QA: 4,1 rated N=1 against N=4).
        return Array(Set(list)).sorted()
    }

    static func right(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func s(_ seconds: Double) -> String {
        seconds >= 3600 ? String(format: "%.2f h", seconds / 3600) : seconds >= 100 ? String(format: "%.0f s", seconds) : String(format: "%.1f s", seconds)
    }
}

