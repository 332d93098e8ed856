import Foundation
import GopfarmCommon
import GopfarmCoordinator
import Logging
import Synchronization

/// The coordinator as a service: jobs come in (HTTP), are probed and planned on worker threads,
/// dispatched to agents by the one `Dispatcher`, stitched when complete, and every step is in
/// the `JobStore`, so a restarted coordinator resumes each unfinished job where it stopped.
public final class FarmService: Sendable {
    /// A planned job the dispatcher works on: what stitching needs later.
    struct ActiveJob: Sendable {
        var prepared: PreparedJob
        var outputPath: String
        var analysis: AnalysisSettings?
    }

    public let config: ServeConfig
    public let store: JobStore
    public let dispatcher: Dispatcher
    let logger: Logger
    let inputPolicy: InputPolicy
    private let active = Mutex<[String: ActiveJob]>([:])
    private let preparing = DispatchSemaphore(value: 2)
    private let endpoint = Mutex<String?>(nil)
    private let shuttingDown = Atomic<Bool>(false)
    /// Agent keys ops allowed (the ZAP handler asks this set, not the database, per connection).
    let allowedKeys = AllowedKeys()
    /// The coordinator's CURVE public key, nil on an insecure endpoint.
    public let publicKey: String?
    let lastScrape = Mutex<(Double, Int)>((0, 0))

    /// `curve` is the coordinator's key pair; nil serves agents over plain TCP (`--insecure`).
    public init(config: ServeConfig, curve: CurveKeyPair?, logger: Logger) throws {
        self.config = config
        publicKey = curve?.publicKey
        self.logger = logger
        for dir in [config.dataDirectory, config.spool, config.uploads, config.outputs, config.thumbnails] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        store = try JobStore(path: config.databasePath)
        inputPolicy = InputPolicy(roots: config.inputRoots + [config.uploads.path])
        let finished = FinishedJobs()
        let allowed = allowedKeys
        let security: DispatchSecurity = curve.map { pair in .curve(secretKey: pair.secretKey) { allowed.contains($0) } } ?? .insecure
        dispatcher = Dispatcher(bind: config.bind, timing: config.timing, security: security,
                                recorder: StoreRecorder(store: store) { finished.deliver($0, $1) }, keepsOutcomes: false, logger: logger)
        finished.service.withLock { $0 = self }
        reloadAllowedKeys()
    }

    /// Listens for agents and resumes every unfinished job; returns the agent endpoint.
    public func start() throws -> String {
        let bound: String
        do { bound = try dispatcher.start() } catch {
            throw APIError(.unavailable, "cannot listen for agents on \(config.bind): \(error)")
        }
        endpoint.withLock { $0 = bound }
        let unfinished = try store.unfinishedJobs()
        for row in unfinished {
            logger.info("resuming job", metadata: ["job": "\(row.id)", "state": "\(row.state.rawValue)"])
            prepareInBackground(row)
        }
        return bound
    }

    public var agentEndpoint: String? { endpoint.withLock { $0 } }
    var isShuttingDown: Bool { shuttingDown.load(ordering: .relaxed) }

    /// Stops dispatching; agents stay up and reconnect to the next coordinator. State is in the store.
    public func shutdown() {
        shuttingDown.store(true, ordering: .relaxed)
        logger.info("stopping: unfinished jobs resume on the next start; agents wait for it")
        dispatcher.stop(dismissAgents: false)
        store.event(job: nil, kind: "coordinator", "stopped")
    }

    // MARK: - API operations

    public func submit(_ submission: JobSubmission, caller: Caller) throws(APIError) -> JobView {
        let (input, defaultName) = try resolveInput(submission, caller: caller)
        do { try submission.settings.validate() } catch { throw APIError(.unprocessable, error.description) }
        let seconds = submission.segmentSeconds ?? config.defaultSegmentSeconds
        guard seconds >= 0.04, seconds <= 3600 else { throw APIError(.unprocessable, "segmentSeconds must be between 0.04 and 3600") }
        if let limit = submission.maxAgents, !(1...10_000).contains(limit) {
            throw APIError(.unprocessable, "maxAgents must be between 1 and 10000")
        }
        let outputName = try Self.checkOutputName(submission.outputName ?? defaultName, codec: submission.settings.codec)
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)).lowercased()
        var stored = submission
        stored.input = input
        stored.segmentSeconds = seconds
        let row = JobRow(
            id: id, seq: 0, owner: caller.name, priority: submission.priority ?? .normal, state: .queued, input: input,
            outputName: outputName, outputPath: nil, submission: JobStore.json(stored), submittedAt: Date(),
            startedAt: nil, finishedAt: nil, error: nil, warnings: "[]", segmentsTotal: 0, framesTotal: 0,
            segmentsDone: 0, framesDone: 0, outputFrames: nil, outputBytes: nil)
        do { try store.insert(row) } catch { throw APIError(.unavailable, "cannot store the job: \(error)") }
        logger.info("job submitted", metadata: ["job": "\(id)", "owner": "\(caller.name)", "input": "\(input)"])
        prepareInBackground(row)
        return try view(id, caller: caller)
    }

    public func view(_ id: String, caller: Caller) throws(APIError) -> JobView {
        let row = try visibleRow(id, caller: caller)
        var view = makeView(row)
        view.analysis = try? store.analysis(id)
        view.analysis?.series = nil
        view.timings = try? store.timings(id)
        return view
    }

    public func list(caller: Caller) throws(APIError) -> [JobView] {
        do {
            let rows = try store.jobs(owner: caller.role >= .ops ? nil : caller.name)
            let agents = try store.agentsOfJobs(rows.map(\.id))  // one query, not one per job
            return rows.map { makeView($0, agents: agents[$0.id] ?? []) }
        } catch { throw APIError(.unavailable, "cannot read jobs: \(error)") }
    }

    public func cancel(_ id: String, caller: Caller) throws(APIError) -> JobView {
        let row = try visibleRow(id, caller: caller)
        guard !row.state.isFinal else { throw APIError(.conflict, "job \(id) is already \(row.state.rawValue)") }
        do { try store.setState(id, .cancelled, error: "cancelled by \(caller.name)") } catch {
            throw APIError(.unavailable, "cannot store the cancellation: \(error)")
        }
        dispatcher.cancel(job: id)
        active.withLock { _ = $0.removeValue(forKey: id) }
        logger.info("job cancelled", metadata: ["job": "\(id)", "by": "\(caller.name)"])
        return try view(id, caller: caller)
    }

    /// The finished output's path, for download.
    public func outputPath(_ id: String, caller: Caller) throws(APIError) -> (path: String, name: String) {
        let row = try visibleRow(id, caller: caller)
        guard row.state == .done, let path = row.outputPath else {
            throw APIError(.conflict, "job \(id) is \(row.state.rawValue); its output exists once it is done")
        }
        return (path, row.outputName)
    }

    func visibleRow(_ id: String, caller: Caller) throws(APIError) -> JobRow {
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber }) else { throw APIError(.notFound, "no job \(id.prefix(64))") }
        let row: JobRow?
        do { row = try store.job(id) } catch { throw APIError(.unavailable, "cannot read the job: \(error)") }
        // Another producer's job does not exist, as far as this caller can tell.
        guard let row, caller.role >= .ops || row.owner == caller.name else { throw APIError(.notFound, "no job \(id)") }
        return row
    }

    /// `agents`: who completed its segments (looked up when not given).
    func makeView(_ row: JobRow, agents: [String]? = nil) -> JobView {
        var p = JobView.Progress(segmentsDone: row.segmentsDone, segmentsTotal: row.segmentsTotal, framesDone: row.framesDone,
                                 framesTotal: row.framesTotal, fraction: 0, agents: 0, requeues: 0)
        if let live = dispatcher.progress(of: row.id) {
            p.segmentsDone = live.segmentsDone
            p.framesDone = live.framesDone
            p.agents = live.agents
            p.requeues = live.requeues
        }
        if row.state == .done { p.framesDone = p.framesTotal; p.segmentsDone = p.segmentsTotal }
        p.fraction = p.framesTotal > 0 ? min(1, Double(p.framesDone) / Double(p.framesTotal)) : 0
        let codec = row.decodedSubmission?.settings.codec ?? "?"
        return JobView(
            id: row.id, owner: row.owner, state: row.state, priority: row.priority, input: row.input, outputName: row.outputName,
            codec: codec, submittedAt: row.submittedAt, startedAt: row.startedAt, finishedAt: row.finishedAt, progress: p,
            error: row.error, warnings: row.decodedWarnings, outputFrames: row.outputFrames, outputBytes: row.outputBytes,
            agents: agents ?? (try? store.agentsOfJobs([row.id])[row.id]) ?? [], maxAgents: row.decodedSubmission?.maxAgents)
    }

    private func resolveInput(_ s: JobSubmission, caller: Caller) throws(APIError) -> (String, String) {
        switch (s.input, s.upload) {
        case (let path?, nil):
            let real = try inputPolicy.check(path)
            return (real, Self.defaultOutputName(for: path))
        case (nil, let upload?):
            let found: (path: String, fileName: String)?
            do { found = try store.upload(upload, owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
            guard let found else { throw APIError(.notFound, "no upload \(upload.prefix(64)) of yours") }
            return (found.path, Self.defaultOutputName(for: found.fileName))
        default:
            throw APIError(.badRequest, "give exactly one of 'input' (a path on the coordinator) and 'upload' (an upload id)")
        }
    }

    static func defaultOutputName(for input: String) -> String {
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        return (base.isEmpty ? "output" : base) + ".mp4"
    }

    static func checkOutputName(_ name: String, codec: String) throws(APIError) -> String {
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), !name.contains("\0"), name != ".", name != "..",
              !name.hasPrefix(".") else {
            throw APIError(.badRequest, "outputName must be a plain file name such as movie.mp4")
        }
        let ext = (name as NSString).pathExtension.lowercased()
        guard ["mp4", "m4v", "mov", "mkv", "webm"].contains(ext) else {
            throw APIError(.unprocessable, "cannot write '.\(ext)' files; use .mp4, .mov, .mkv or .webm")
        }
        if ext == "webm", !["libvpx-vp9", "libsvtav1"].contains(codec) {
            throw APIError(.unprocessable, "WebM holds VP9 or AV1 video; use libvpx-vp9 or libsvtav1 with a .webm output")
        }
        return name
    }

    // MARK: - Job pipeline (worker threads)

    /// Probes and plans on a worker thread (at most two at once), then hands the job to the dispatcher.
    private func prepareInBackground(_ row: JobRow) {
        let thread = Thread { [self] in
            self.preparing.wait()
            defer { self.preparing.signal() }
            self.prepare(row)
        }
        thread.name = "gopfarm-prepare"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func prepare(_ row: JobRow) {
        guard let submission = row.decodedSubmission, !shuttingDown.load(ordering: .relaxed) else { return }
        do {
            try store.setState(row.id, .planning)
            // A resumed job keeps the slots it was first planned for: the same plan, so its
            // finished segments still fit.
            let slots = try store.phases(row.id)?.plannedSlots
                ?? Self.plannedSlots(dispatcher.snapshot.agents, maxAgents: submission.maxAgents)
            let prepared = try PreparedJob(input: row.input, settings: submission.settings,
                                           segmentSeconds: submission.segmentSeconds ?? config.defaultSegmentSeconds, slots: slots)
            // The slots first: a coordinator killed between the two still finds them with the plan.
            try store.updatePhases(row.id) {
                $0.probeSeconds = prepared.probeSeconds
                $0.planSeconds = prepared.planSeconds
                $0.plannedSlots = slots
            }
            try store.recordPlan(row.id, plan: prepared.plan, warnings: prepared.warnings)
            let restored = try store.completedSegments(row.id)
            // Cancelled while planning: nothing to dispatch.
            guard try store.job(row.id)?.state == .planning else { return }
            let outputDir = config.outputs.appendingPathComponent(row.id)
            try FileManager.default.createDirectory(at: outputDir, withIntermediateDirectories: true)
            let analysis = submission.analysis == false ? nil : AnalysisSettings()
            active.withLock {
                $0[row.id] = ActiveJob(prepared: prepared, outputPath: outputDir.appendingPathComponent(row.outputName).path, analysis: analysis)
            }
            try store.setState(row.id, .running)
            let dispatchStart = store.secondsSinceSubmission(row.id)
            try store.updatePhases(row.id) { $0.dispatchStart = dispatchStart }
            var job = prepared.dispatchJob(id: row.id, spool: config.spool, priority: row.priority, owner: row.owner, analysis: analysis)
            job.maxAgents = submission.maxAgents
            dispatcher.add(job, restored: restored) { () throws(MediaError) in try prepared.makeExtractor() }
            if !restored.isEmpty {
                logger.info("kept finished segments", metadata: ["job": "\(row.id)", "segments": "\(restored.count)"])
            }
        } catch {
            let message = (error as? MediaError)?.description ?? "\(error)"
            logger.warning("job failed", metadata: ["job": "\(row.id)", "error": "\(message)"])
            try? store.setState(row.id, .failed, error: message)
        }
    }

    /// Segment slots a job will have: those of the agents connected now and not draining (the
    /// `maxAgents` largest, when it has a limit); 1 with none connected yet.
    static func plannedSlots(_ agents: [AgentStatus], maxAgents: Int?) -> Int {
        let slots = agents.filter { $0.state != .draining }.map(\.slots).sorted(by: >)
        return max(1, slots.prefix(maxAgents ?? slots.count).reduce(0, +))
    }

    /// Merges the segments' analyses into the store; scene thumbnails go to `thumbnails/<job>/`.
    private func analyze(_ id: String, job: ActiveJob, segments: [CompletedSegment], settings: AnalysisSettings) throws {
        let dir = config.thumbnails.appendingPathComponent(id)
        try? FileManager.default.removeItem(at: dir)  // an interrupted earlier stitch's
        let analysis = try job.prepared.analyze(segments, settings: settings, thumbnails: dir, outputPath: job.outputPath)
        try store.saveAnalysis(id, analysis)
    }

    /// A finished job's HTML report.
    public func report(_ id: String, caller: Caller) throws(APIError) -> String {
        let analysis = try analysis(id, caller: caller)
        let row = try visibleRow(id, caller: caller)
        return ReportFiles.html(analysis, title: "\(row.outputName) (job \(id))", thumbnails: config.thumbnails.appendingPathComponent(id))
    }

    /// The whole analysis of a finished job (with the per-frame series).
    public func analysis(_ id: String, caller: Caller) throws(APIError) -> JobAnalysis {
        let row = try visibleRow(id, caller: caller)
        let found: JobAnalysis?
        do { found = try store.analysis(id) } catch { throw APIError(.unavailable, "cannot read the analysis: \(error)") }
        guard let found else {
            throw APIError(row.state == .done ? .notFound : .conflict,
                           row.state == .done ? "job \(id) was not analyzed" : "job \(id) is \(row.state.rawValue); its analysis exists once it is done")
        }
        return found
    }

    /// A scene thumbnail of a finished job (`scene-NNNN.jpg`).
    public func thumbnail(_ id: String, name: String, caller: Caller) throws(APIError) -> Data {
        _ = try visibleRow(id, caller: caller)
        guard name == ReportFiles.contactSheetName || name.range(of: #"^scene-[0-9]{4,6}\.jpg$"#, options: .regularExpression) != nil,
              let data = try? Data(contentsOf: config.thumbnails.appendingPathComponent(id).appendingPathComponent(name))
        else { throw APIError(.notFound, "job \(id) has no thumbnail \(name.prefix(64))") }
        return data
    }

    /// Called after the store recorded the dispatcher's verdict on a job.
    fileprivate func jobFinished(_ id: String, _ outcome: DispatchOutcome) {
        let job = active.withLock { $0.removeValue(forKey: id) }
        switch outcome {
        case .cancelled:
            return
        case .failed(let message):
            try? store.setState(id, .failed, error: message)
        case .completed(let segments):
            guard let job else { return }
            let end = store.secondsSinceSubmission(id)
            try? store.updatePhases(id) { $0.dispatchEnd = end }
            let thread = Thread { [self] in self.stitch(id, job: job, segments: segments) }
            thread.name = "gopfarm-stitch"
            thread.start()
        }
    }

    private func stitch(_ id: String, job: ActiveJob, segments: [CompletedSegment]) {
        do {
            try store.setState(id, .stitching)
            let started = MonotonicClock.now()
            var (report, warnings) = try job.prepared.stitch(segments, outputPath: job.outputPath)
            let stitched = MonotonicClock.now()
            if let settings = job.analysis {
                do { try analyze(id, job: job, segments: segments, settings: settings) } catch {
                    logger.warning("analysis failed", metadata: ["job": "\(id)", "error": "\(error)"])
                    warnings.append("the content analysis failed: \((error as? MediaError)?.description ?? "\(error)")")
                }
            }
            let analyzed = MonotonicClock.now()
            try store.updatePhases(id) {
                $0.stitchSeconds = stitched - started
                $0.analysisSeconds = job.analysis == nil ? nil : analyzed - stitched
            }
            try store.finishOutput(id, path: job.outputPath, frames: report.videoFrames, bytes: Int(report.bytes), warnings: warnings)
            try store.setState(id, .done)
            logger.info("job done", metadata: ["job": "\(id)", "frames": "\(report.videoFrames)", "output": "\(job.outputPath)"])
        } catch {
            let message = (error as? MediaError)?.description ?? "\(error)"
            try? store.setState(id, .failed, error: "stitching failed: \(message)")
        }
    }
}

/// Routes the recorder's finished-job calls to the service, which exists only after the
/// dispatcher (and so the recorder) was made.
private final class FinishedJobs: Sendable {
    let service = Mutex<FarmService?>(nil)

    func deliver(_ id: String, _ outcome: DispatchOutcome) {
        service.withLock { $0 }?.jobFinished(id, outcome)
    }
}
