import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmBench
import GopfarmClient
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService

/// `gopfarm bench`: the same job on 1, 2, 4 … N agents of one farm, as a table, JSON, CSV and an
/// HTML page. The farm is a `gopfarm serve` in every mode, so every figure comes from the job
/// store's timings: local processes (default), emulated hosts (`--emulate-hosts`) or a running
/// cluster (`--url`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run the same job on 1, 2, 4 … N agents and report speedup, efficiency and where the time went.",
        discussion: """
            For each N of --agents the same job is submitted with maxAgents = N to a gopfarm serve, and its recorded timings are read back.
            Without --url the bench starts that serve (temporary data directory, plain TCP on loopback) and max(N) gopfarm-agent processes on this machine: they share its cores, so speedup is bounded by the cores, not by the farm.
            --emulate-hosts (root, Linux) puts each agent on its own emulated host instead (network namespace, shaped link, CPU-capped cgroup), with CURVE; --url measures a running cluster.
            It prints a line per size as each finishes and writes DIR/bench.json, bench.csv and bench.html.

            Example:
              gopfarm bench film.mp4 --agents 1,2,4,8 --crf 23 --preset medium \\
                  -o bench-film
            """)

    @Argument(help: "Input video file.")
    var input: String

    @Option(help: ArgumentHelp("Cluster sizes to measure, ascending; speedup is relative to the smallest.", valueName: "list"))
    var agents: String = "1,2,4,8"

    @OptionGroup var encode: EncodeOptions

    @Option(parsing: .unconditional, help: "Target segment length in seconds (default: the coordinator's, 10).")
    var segmentSeconds: Double?

    @Option(help: "Encoder threads of each agent the bench starts (not with --url).")
    var threads: Int?

    @Flag(help: "Weak scaling: size N runs the first N/maxN of the input (cut at a key frame), so the work per agent stays the same.")
    var weak = false

    @Option(name: .customLong("repeat"), help: ArgumentHelp("Jobs per size; the table shows medians.", valueName: "k"))
    var repeats: Int = 1

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Directory for bench.json, bench.csv and bench.html (default: bench-INPUT).",
                                                                       valueName: "dir"))
    var outputDirectory: String?

    @Flag(help: "Print bench.json on stdout (the table goes to stderr).")
    var json = false

    @Flag(help: "No table or progress; only errors (files are still written).")
    var quiet = false

    @Flag(help: "Each agent on its own emulated host: network namespace, tc-shaped link, CPU-capped cgroup (root, Linux).")
    var emulateHosts = false

    @Option(help: ArgumentHelp("With --emulate-hosts: CPU cores per host, e.g. 0.2.", valueName: "cpus"))
    var hostCpus: Double?

    @Option(help: ArgumentHelp("With --emulate-hosts: each host's link, e.g. 1gbit, 100mbit, 20mbit.", valueName: "rate"))
    var link: String?

    @Flag(help: "With --url: stream the input to the coordinator instead of sending its path.")
    var upload = false

    @OptionGroup(title: "A running cluster (--url; without it the bench starts its own farm)") var client: ClientOptions

    /// Keep the bench's temporary directory (serve data, logs) for debugging.
    @Flag(help: .hidden) var keepWork = false

    static let defaultHostCPUs = 0.2
    static let defaultLink = "1gbit"

    var mode: BenchMode { client.url != nil ? .cluster : emulateHosts ? .emulatedHosts : .local }

    func validate() throws {
        _ = try parsedAgentCounts()
        guard (1...100).contains(repeats) else { throw ValidationError("--repeat takes 1 to 100 runs per size") }
        if let segmentSeconds {
            do { try JobRules.checkSegmentSeconds(segmentSeconds) } catch { throw ValidationError(error.description) }
        }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
        if client.url != nil {
            if emulateHosts { throw ValidationError("--url measures a running cluster; --emulate-hosts starts its own: give one of them") }
            if threads != nil { throw ValidationError("--threads applies to the agents the bench starts; with --url the cluster's agents keep theirs") }
        } else if upload {
            throw ValidationError("--upload applies to --url; the bench's own farm reads the input where it is")
        }
        if !emulateHosts && (hostCpus != nil || link != nil) {
            throw ValidationError("--host-cpus and --link describe emulated hosts: add --emulate-hosts")
        }
        // The encode settings are a usage error as in transcode and submit (exit 64 with a
        // hint), not a failed bench (QA: `--crf 99` exited 1).
        do { try encode.settings(threads: 0).validate() } catch let error as MediaError { throw ValidationError(error.message) }
        if emulateHosts {
            let cpus = hostCpus ?? Self.defaultHostCPUs
            do {
                _ = try CPUQuota(cpus: cpus)
                _ = try LinkRate(parsing: link ?? Self.defaultLink)
                try CPUQuota.checkTotal(hosts: try parsedAgentCounts().max() ?? 1, cpus: cpus, cores: ProcessInfo.processInfo.activeProcessorCount)
            } catch let error as HostLabError {
                throw ValidationError(error.message)
            }
        }
    }

    func parsedAgentCounts() throws -> [Int] {
        do { return try BenchPlan.parseAgentCounts(agents) } catch { throw ValidationError(error.description) }
    }

    func run() async throws {
        // Lines go to stdout while the bench runs: a reader that leaves (`| head -1`) must not
        // end the process there, its farm left running and nothing written (QA); the bench
        // goes on to write its files.
        Console.closedOutput = .discard
        let farm = FarmHandle()
        let console = BenchConsole(quiet: quiet, tableToStderr: json)
        let latest = LatestResult()
        try await ClientRun.run(onInterrupt: { [self] in
            console.clearLine()
            farm.stop(keep: keepWork)
            if let kept = keepLeftover(latest) {
                ClientFormat.note("interrupted; the bench's farm is stopped; wrote the \(kept.runs) run\(kept.runs == 1 ? "" : "s") measured to \(kept.directory.path)")
            } else {
                ClientFormat.note("interrupted; the bench's farm is stopped")
            }
        }) { [self] in
            defer { farm.stop(keep: keepWork) }
            try await bench(farm: farm, console: console, latest: latest)
        }
    }

    // MARK: The bench

    private func bench(farm handle: FarmHandle, console: BenchConsole, latest: LatestResult) async throws {
        let path = SubmitCommand.absolute(input)
        let probe = try MediaProbe(path: path)
        let settings = try encode.settings(threads: 0)
        try settings.validate()
        let plan = BenchPlan(agentCounts: try parsedAgentCounts(), repeats: repeats, scaling: weak ? .weak : .strong, settings: settings,
                             segmentSeconds: segmentSeconds, threadsPerAgent: mode == .cluster ? nil : (threads ?? 1))
        let directory = URL(fileURLWithPath: outputDirectory ?? "bench-" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension)
        let existed = FileManager.default.fileExists(atPath: directory.path)
        do { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) } catch {
            throw ClientError.file("-o \(directory.path): cannot create the directory (\(error.localizedDescription))")
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else { throw ClientError.file("-o \(directory.path): not writable") }

        let processes = try BenchProcesses()
        handle.set(processes: processes)
        var result = BenchResult(mode: mode, input: path, inputSeconds: probe.info.duration, plan: plan,
                                 machineCores: mode == .cluster ? nil : ProcessInfo.processInfo.activeProcessorCount)
        latest.start(result, directory: directory, made: !existed)
        if plan.scaling == .weak && !quiet { console.note("cutting the input for weak scaling (N/\(plan.maxAgents) of it at N)") }
        let inputs = try BenchRunner.inputs(for: plan, path: path, seconds: probe.info.duration, directory: processes.directory)

        let farm: ServiceBenchFarm
        switch mode {
        case .cluster:
            farm = try await clusterFarm(plan: plan, console: console)
        case .local:
            farm = try await localFarm(plan: plan, processes: processes, inputRoot: (path as NSString).deletingLastPathComponent, console: console)
        case .emulatedHosts:
            let (made, hosts) = try await emulatedFarm(plan: plan, processes: processes, handle: handle,
                                                       inputRoot: (path as NSString).deletingLastPathComponent, console: console)
            farm = made
            result.hosts = hosts
        }
        farm.progress = { view in console.progress(view) }

        console.table(BenchTable.header)
        let runner = BenchRunner(plan: plan, farm: farm)
        let started = result
        do {
            result = try await runner.run(inputs: inputs, into: started, starting: { n, round in
                console.starting(agents: n, round: round, of: plan.repeats)
            }, finished: { latest.set($0) }, sized: { row, _ in
                console.clearLine()
                console.table(BenchTable.row(row))
            })
        } catch let error as BenchError {
            // What was measured before the failure is still worth its files.
            console.clearLine()
            _ = keepLeftover(latest)
            throw error
        }
        console.clearLine()
        for line in BenchTable.footer(result) { console.table(line) }
        try write(result, to: directory, console: console)
        if json {
            do { Console.out(try result.json()) } catch { throw ClientError.file("cannot encode bench.json: \(error)") }
        }
    }

    /// What a bench that stops early leaves: the sizes measured so far, worth their files, or
    /// no directory where it made one for nothing. The runs written and where, if any.
    private func keepLeftover(_ latest: LatestResult) -> (runs: Int, directory: URL)? {
        switch latest.leftover() {
        case .write(let partial, let directory):
            return (try? write(partial, to: directory, console: nil)).map { (partial.runs.count, directory) }
        case .remove(let directory):
            try? FileManager.default.removeItem(at: directory)
            return nil
        case .nothing:
            return nil
        }
    }

    private func write(_ result: BenchResult, to directory: URL, console: BenchConsole?) throws {
        let files: [(String, Data)] = [
            ("bench.json", try result.json()),
            ("bench.csv", Data(BenchCSV.text(result).utf8)),
            ("bench.html", Data(BenchReport(result).html().utf8)),
        ]
        for (name, data) in files {
            let url = directory.appendingPathComponent(name)
            do { try data.write(to: url, options: .atomic) } catch {
                throw ClientError.file("cannot write \(url.path): \(error.localizedDescription)")
            }
        }
        console?.table("wrote \(directory.appendingPathComponent("bench.json").path), bench.csv and bench.html")
    }

    // MARK: Farms

    /// A running cluster: nothing started; it must have the agents the largest size asks for.
    private func clusterFarm(plan: BenchPlan, console: BenchConsole) async throws -> ServiceBenchFarm {
        let api = try client.makeClient()
        do {
            let connected = try await api.agents().filter { $0.state != .draining }
            if connected.count < plan.maxAgents {
                throw BenchError.farm("the coordinator has \(connected.count) agent\(connected.count == 1 ? "" : "s") taking work; --agents asks for up to \(plan.maxAgents)")
            }
        } catch let error as ClientError {
            guard case .server(403, _) = error else { throw error }
            console.note("this token cannot list agents (ops role): not checking that the cluster has \(plan.maxAgents)")
        }
        return ServiceBenchFarm(api: api, plan: plan, upload: upload)
    }

    /// `gopfarm serve` on loopback and max(N) local agents, plain TCP.
    private func localFarm(plan: BenchPlan, processes: BenchProcesses, inputRoot: String, console: BenchConsole) async throws -> ServiceBenchFarm {
        if !quiet { console.note("starting gopfarm serve and \(plan.maxAgents) local agent\(plan.maxAgents == 1 ? "" : "s") (\(plan.threadsPerAgent ?? 1) thread\(plan.threadsPerAgent == 1 ? "" : "s") each)") }
        try processes.startServe(gopfarm: BenchProcesses.currentExecutable, inputRoots: [inputRoot, processes.directory.path], insecure: true)
        let agentBinary = try LocalAgents.locateAgentBinary()
        for i in 1...plan.maxAgents {
            try processes.startAgent(agentBinary, ["--coordinator", processes.agentEndpoint, "--insecure", "--slots", "1",
                                                   "--threads", "\(plan.threadsPerAgent ?? 1)", "--name", "agent-\(i)"], name: "agent-\(i)")
        }
        let api = APIClient(ClientOptions.Resolved(url: try ClientOptions.parseURL(processes.url), token: processes.token))
        try await Self.waitForAgents(api, count: plan.maxAgents, processes: processes)
        return ServiceBenchFarm(api: api, plan: plan, upload: false)
    }

    /// `gopfarm serve` in the root namespace with CURVE, one agent per emulated host, each with
    /// its own allowed key; link bytes from the lab's counters.
    private func emulatedFarm(plan: BenchPlan, processes: BenchProcesses, handle: FarmHandle, inputRoot: String,
                              console: BenchConsole) async throws -> (ServiceBenchFarm, BenchHosts) {
        if let reason = HostLab.unavailableReason() { throw BenchError.farm("cannot emulate hosts here: \(reason)") }
        let cpus = hostCpus ?? Self.defaultHostCPUs
        let rate = try LinkRate(parsing: link ?? Self.defaultLink)
        if !quiet { console.note("building \(plan.maxAgents) emulated host\(plan.maxAgents == 1 ? "" : "s") of \(cpus) CPU on \(rate) links") }
        let lab: HostLab
        do { lab = try HostLab(hosts: plan.maxAgents, cpus: cpus, link: rate) } catch { throw BenchError.farm("cannot emulate hosts: \(error)") }
        handle.set(lab: lab)
        let hosts = BenchHosts(cpus: cpus, link: rate.description, linkBitsPerSecond: Int(rate.bitsPerSecond),
                               limitations: lab.shapingNote.map { [$0] } ?? [])
        if let note = lab.shapingNote, !quiet { console.note(note) }
        try processes.startServe(gopfarm: BenchProcesses.currentExecutable, inputRoots: [inputRoot, processes.directory.path], insecure: false,
                                 bind: "tcp://\(HostLab.coordinatorAddress):0")
        guard let coordinatorKey = processes.publicKey else { throw BenchError.farm("the bench's gopfarm serve printed no CURVE public key") }
        let api = APIClient(ClientOptions.Resolved(url: try ClientOptions.parseURL(processes.url), token: processes.token))
        let agentBinary = try LocalAgents.locateAgentBinary()
        for host in lab.hosts {
            let keyFile = processes.directory.appendingPathComponent("\(host.name).key")
            let pair: CurveKeyPair
            do {
                pair = try CurveKeyPair.generate()
                try pair.save(to: keyFile)
            } catch { throw BenchError.farm("cannot make a CURVE key for \(host.name): \(error)") }
            _ = try await api.allowAgentKey(AgentKeyRequest(publicKey: pair.publicKey, name: host.name))
            do {
                let process = try lab.launch(in: host, agentBinary.path, [
                    "--coordinator", processes.agentEndpoint, "--coordinator-key", coordinatorKey, "--key-file", keyFile.path,
                    "--slots", "1", "--threads", "\(plan.threadsPerAgent ?? 1)", "--name", host.name, "--parent-pid", "\(getpid())",
                ], log: processes.directory.appendingPathComponent("agent-\(host.name).log"))
                processes.adopt(process, log: processes.directory.appendingPathComponent("agent-\(host.name).log"))
            } catch { throw BenchError.farm("cannot start an agent in \(host.name): \(error)") }
        }
        try await Self.waitForAgents(api, count: plan.maxAgents, processes: processes)
        let farm = ServiceBenchFarm(api: api, plan: plan, upload: false)
        farm.linkBytes = { lab.hosts.reduce(0) { total, host in
            let c = lab.counters(of: host)
            return total + Int(c.sentToHost) + Int(c.receivedFromHost)
        } }
        return (farm, hosts)
    }

    /// Waits until `count` agents are connected (60 s), so the first size does not start short.
    static func waitForAgents(_ api: APIClient, count: Int, processes: BenchProcesses) async throws {
        let deadline = Date().addingTimeInterval(60)
        var connected = 0
        while Date() < deadline {
            connected = (try? await api.agents().count) ?? connected
            if connected >= count { return }
            let exited = processes.exitedAgents
            if exited.count > 0 {
                throw BenchError.farm("\(exited.count) of the bench's agents exited at start" + (exited.lastLine.map { " (\($0))" } ?? ""))
            }
            try await ClientRun.pause(0.1)
        }
        throw BenchError.farm("only \(connected) of \(count) agents connected to the bench's gopfarm serve within 60 s")
    }
}

/// The farm over the HTTP API: submits with `maxAgents`, follows the job, reads its record.
/// @unchecked Sendable: `progress` and `linkBytes` are set once before the first job and only read after.
final class ServiceBenchFarm: BenchFarm, @unchecked Sendable {
    let api: APIClient
    let plan: BenchPlan
    let upload: Bool
    var progress: (@Sendable (JobView) -> Void)?
    /// Bytes the links carried so far (emulated hosts), read before and after each job.
    var linkBytes: (@Sendable () -> Int)?

    init(api: APIClient, plan: BenchPlan, upload: Bool) {
        self.api = api
        self.plan = plan
        self.upload = upload
    }

    func run(input: BenchInput, agents: Int) async throws -> BenchJobRecord {
        // FFV1 has no MP4 tag in this FFmpeg; everything else goes where users' outputs go.
        let ext = plan.settings.codec == "ffv1" ? "mkv" : "mp4"
        var submission = JobSubmission(outputName: "bench-\(agents)-agents.\(ext)", settings: plan.settings,
                                       segmentSeconds: plan.segmentSeconds, maxAgents: agents)
        if upload { submission.upload = try await api.upload(file: input.path).upload } else { submission.input = input.path }
        let before = linkBytes?()
        let job = try await api.submit(submission)
        var follower = JobFollower(client: api, id: job.id)
        follower.mode = .polling
        follower.pollInterval = 0.25
        let final: JobView
        do {
            final = try await follower.follow(update: { [progress] view in progress?(view) })
        } catch {
            // Interrupted: a cluster's job would go on without anyone reading it.
            let api = self.api, id = job.id
            _ = await Task.detached { try? await api.cancel(id) }.value
            throw error
        }
        guard final.state == .done else {
            throw BenchError.jobFailed(agents: agents, job: job.id, reason: final.error ?? "it ended \(final.state.rawValue)")
        }
        // The single job's view carries the timings and the analysis.
        let view = try await ClientRun.retryingTransient { try await api.job(job.id) }
        let after = linkBytes?()
        let summary = view.analysis.map(TranscodeReport.AnalysisSummary.init)
        return BenchJobRecord(id: view.id, timings: view.timings ?? JobTimings(), outputFrames: view.outputFrames, outputBytes: view.outputBytes,
                              psnr: summary?.psnrAll, lossless: summary?.lossless ?? false, agents: view.agents,
                              linkBytes: before.flatMap { b in after.flatMap { $0 >= b ? $0 - b : nil } })
    }
}

/// What the bench started, so every way out (done, failure, Ctrl-C) stops it.
/// @unchecked Sendable: every field is guarded by `lock`.
private final class FarmHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: BenchProcesses?
    private var lab: HostLab?

    func set(processes: BenchProcesses) { lock.withLock { self.processes = processes } }
    func set(lab: HostLab) { lock.withLock { self.lab = lab } }

    /// Agents and serve first (the lab's processes are adopted by `processes`), then the hosts.
    func stop(keep: Bool) {
        let (processes, lab) = lock.withLock { (self.processes, self.lab) }
        processes?.stop(keep: keep)
        lab?.teardown()
    }
}

/// The last result seen and where it goes, for the files of a bench that fails or is
/// interrupted midway. @unchecked Sendable: guarded by `lock`.
private final class LatestResult: @unchecked Sendable {
    private let lock = NSLock()
    private var value: BenchResult?
    private var directory: URL?
    private var made = false

    enum Leftover {
        /// Runs were measured: their files belong in the directory.
        case write(BenchResult, URL)
        /// Nothing measured, and the bench made the directory: it goes.
        case remove(URL)
        case nothing
    }

    func start(_ result: BenchResult, directory: URL, made: Bool) {
        lock.withLock { (value, self.directory, self.made) = (result, directory, made) }
    }
    func set(_ result: BenchResult) { lock.withLock { value = result } }

    func leftover() -> Leftover {
        lock.withLock {
            guard let directory else { return .nothing }
            if let value, !value.runs.isEmpty { return .write(value, directory) }
            let empty = (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.isEmpty == true
            return made && empty ? .remove(directory) : .nothing
        }
    }
}

/// The table on stdout (stderr with --json), notes and a redrawn progress line on stderr (only on
/// a terminal: a pipe gets the table's lines and nothing else).
/// @unchecked Sendable: every field is guarded by `lock`.
private final class BenchConsole: @unchecked Sendable {
    private let lock = NSLock()
    private let quiet: Bool
    private let tableToStderr: Bool
    private let terminal = isatty(STDERR_FILENO) == 1
    private var label = ""
    private var drawn = false

    init(quiet: Bool, tableToStderr: Bool) {
        self.quiet = quiet
        self.tableToStderr = tableToStderr
    }

    func table(_ line: String) {
        guard !quiet else { return }
        clearLine()
        if tableToStderr { Console.error(line + "\n") } else { Console.line(line) }
    }

    func note(_ text: String) {
        guard !quiet else { return }
        clearLine()
        ClientFormat.note(text)
    }

    func starting(agents n: Int, round: Int, of rounds: Int) {
        lock.withLock { label = "N=\(n)" + (rounds > 1 ? " run \(round)/\(rounds)" : "") }
        draw("submitted")
    }

    func progress(_ view: JobView) {
        let p = view.progress
        draw(p.segmentsTotal > 0 ? "\(view.state.rawValue) \(view.percent) \(p.segmentsDone)/\(p.segmentsTotal) segments" : view.state.rawValue)
    }

    private func draw(_ status: String) {
        guard !quiet, terminal else { return }
        lock.withLock {
            Console.error("\r\(label): \(status)\u{1B}[K")
            drawn = true
        }
    }

    func clearLine() {
        lock.withLock {
            if drawn { Console.error("\r\u{1B}[K") }
            drawn = false
        }
    }
}
