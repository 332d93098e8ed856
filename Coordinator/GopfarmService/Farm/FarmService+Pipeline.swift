import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// A service job through the `JobPipeline`: probe and plan on the prepare threads, dispatch,
/// stitch and analyze on the stitch threads, each step's state move judged by the job's
/// `JobStateMachine` and made by compare-and-set, so a cancel racing any step leaves one answer.
extension FarmService {
    /// Resumes every unfinished job (a restart): finished segments are kept.
    func resumeUnfinished() async {
        do {
            for row in try await store.unfinishedJobs() {
                logger.info("resuming job", metadata: ["job": "\(row.id)", "state": "\(row.state.rawValue)"])
                startJob(row)
            }
        } catch {
            logger.error("cannot read the unfinished jobs", metadata: ["error": "\(error)"])
        }
    }

    /// Queues the job's probe and plan; once stopped, it waits in the store for the next start.
    func startJob(_ row: JobRow) {
        preparing.submit { [self] in prepare(row) }
    }

    /// Feeds the job's state machine one event and makes its move; tells live progress.
    @discardableResult
    func advance(_ id: String, _ event: (inout JobStateMachine) -> JobStateMachine.Decision) throws -> JobAdvance {
        let outcome = try store.advance(id, event)
        if case .moved(_, let action) = outcome { moved(id, action) }
        return outcome
    }

    /// What every landed move does besides its step: streams hear of it; a stop reaches the dispatcher.
    func moved(_ id: String, _ action: JobStateMachine.Action) {
        progress.jobChanged(id)
        guard action == .stopDispatch || action == .forget else { return }
        // Under the lock that `dispatch` adds under: a cancel lands before the add (which then
        // does not happen) or after it (and the dispatcher drops the job).
        active.withLock { jobs in
            if jobs.removeValue(forKey: id) != nil, action == .stopDispatch { dispatcher.cancel(job: id) }
            // An automatic ladder's probe stops with its job (it is held only while it runs).
            if jobs.removeValue(forKey: Self.probeID(id)) != nil { dispatcher.cancel(job: Self.probeID(id)) }
        }
    }

    /// The dispatcher's id of a job's automatic-ladder probe.
    static func probeID(_ job: String) -> String { job + "-probe" }

    private func prepare(_ row: JobRow) {
        guard let submission = row.decodedSubmission, !isShuttingDown else { return }
        do {
            guard case .moved = try advance(row.id, { $0.start() }) else { return }
            // A resumed job keeps the slots it was first planned for: the same plan, so its
            // finished segments still fit.
            let slots = try store.phases(row.id)?.plannedSlots
                ?? Self.plannedSlots(dispatcher.snapshot.agents, maxAgents: submission.maxAgents)
            var pipeline = try JobPipeline(
                input: row.input, settings: submission.settings, segmentSeconds: submission.segmentSeconds ?? config.defaultSegmentSeconds,
                slots: slots, analysis: submission.analysis == false ? nil : AnalysisSettings())
            pipeline.logPlan(logger, job: row.id)
            // The slots first: a coordinator killed between the two still finds them with the plan.
            try store.updatePhases(row.id) {
                $0.probeSeconds = pipeline.prepared.probeSeconds
                $0.planSeconds = pipeline.prepared.planSeconds
                $0.plannedSlots = slots
            }
            try store.recordPlan(row.id, plan: pipeline.prepared.plan, warnings: pipeline.prepared.warnings)
            let outputDir = config.outputs.appendingPathComponent(row.id)
            try FileManager.default.createDirectory(at: outputDir, withIntermediateDirectories: true)
            // A ladder's output is the directory `outputName` (the submission dropped its extension).
            let outputPath = outputDir.appendingPathComponent(row.outputName).path
            if pipeline.prepared.settings.ladder?.auto == true {
                // A resumed job keeps the rungs its probe chose: its finished segments hold them.
                if let choice = try store.ladderChoice(row.id) {
                    pipeline = try pipeline.choosingLadder(choice)
                } else if let probe = try pipeline.ladderProbe() {
                    return try startProbe(LadderProbeWait(row: row, probe: probe, maxAgents: submission.maxAgents),
                                          pipeline: pipeline, outputPath: outputPath)
                }
            }
            try dispatch(row, pipeline: pipeline, outputPath: outputPath, maxAgents: submission.maxAgents)
        } catch {
            fail(row.id, (error as? MediaError)?.description ?? "\(error)")
        }
    }

    /// Segment slots a job will have: those of the agents connected now and not draining (the
    /// `maxAgents` largest, when it has a limit); 1 with none connected yet.
    static func plannedSlots(_ agents: [AgentStatus], maxAgents: Int?) -> Int {
        let slots = agents.filter { $0.state != .draining }.map(\.slots).sorted(by: >)
        return max(1, slots.prefix(maxAgents ?? slots.count).reduce(0, +))
    }

    private func dispatch(_ row: JobRow, pipeline: JobPipeline, outputPath: String, maxAgents: Int?) throws {
        let restored = try store.completedSegments(row.id)
        active.withLock { $0[row.id] = ActiveJob(pipeline: pipeline, outputPath: outputPath) }
        guard case .moved = try advance(row.id, { $0.planned() }) else {  // cancelled while planning
            active.withLock { _ = $0.removeValue(forKey: row.id) }
            return
        }
        let dispatchStart = store.secondsSinceSubmission(row.id)
        try store.updatePhases(row.id) { $0.dispatchStart = dispatchStart }
        let job = pipeline.dispatchJob(id: row.id, spool: config.spool, priority: row.priority, owner: row.owner, maxAgents: maxAgents)
        active.withLock { jobs in
            if jobs[row.id] != nil { dispatcher.add(job, restored: restored, makeExtractor: pipeline.extractor) }
        }
        if !restored.isEmpty {
            logger.info("kept finished segments", metadata: ["job": "\(row.id)", "segments": "\(restored.count)"])
        }
    }

    /// `--ladder auto`: the agents first encode the probe, dispatched beside other jobs under
    /// `probeID`; `probeFinished` picks the rungs and dispatches the job. The job stays
    /// `planning` meanwhile, so a cancel stops the probe (`moved`).
    private func startProbe(_ wait: LadderProbeWait, pipeline: JobPipeline, outputPath: String) throws {
        let id = wait.row.id, probeID = Self.probeID(id)
        active.withLock { $0[probeID] = ActiveJob(pipeline: pipeline, outputPath: outputPath, probing: wait) }
        // A cancel that landed before the probe was held has nothing to stop: check after holding it.
        guard try store.job(id)?.state == .planning else {
            active.withLock { _ = $0.removeValue(forKey: probeID) }
            return
        }
        let job = wait.probe.dispatchJob(id: probeID, spool: config.spool, priority: wait.row.priority, owner: wait.row.owner)
        active.withLock { jobs in
            if jobs[probeID] != nil { dispatcher.add(job, makeExtractor: pipeline.extractor) }
        }
        store.event(job: id, kind: "ladder", "probing \(wait.probe.sample.count) segment(s) at \(wait.probe.rungs.count) encodes to choose the ladder")
        logger.info("ladder probe dispatched", metadata: ["job": "\(id)", "segments": "\(wait.probe.sample.count)", "encodes": "\(wait.probe.rungs.count)"])
    }

    /// The probe's outcome (on the dispatcher's thread): choose and dispatch on a prepare thread.
    private func probeFinished(_ job: ActiveJob, _ wait: LadderProbeWait, _ outcome: DispatchOutcome) {
        let id = wait.row.id
        switch outcome {
        case .cancelled:
            return
        case .failed(let message):
            fail(id, "the ladder probe failed: \(message)")
        case .completed(let segments):
            preparing.submit { [self] in
                do {
                    let choice = try wait.probe.choose(segments)
                    removeProbeFiles(segments)
                    try store.saveLadderChoice(id, choice)
                    let rungs = choice.rungs.map { "\($0.name):\($0.bitrate)" }.joined(separator: ",")
                    store.event(job: id, kind: "ladder", "chose \(rungs)")
                    logger.info("ladder chosen", metadata: ["job": "\(id)", "rungs": "\(rungs)"])
                    try dispatch(wait.row, pipeline: try job.pipeline.choosingLadder(choice), outputPath: job.outputPath, maxAgents: wait.maxAgents)
                } catch {
                    removeProbeFiles(segments)
                    fail(id, (error as? MediaError)?.description ?? "\(error)")
                }
            }
        }
    }

    /// The probe's encodes served their purpose once measured: no store row names them.
    private func removeProbeFiles(_ segments: [CompletedSegment]) {
        for c in segments {
            unlink(c.path.path)
            if let sha = c.result.analysisSHA256 { unlink(config.spool.appendingPathComponent("\(sha).gfa").path) }
        }
    }

    /// Called (on the dispatcher's thread) after the store recorded its verdict on a job.
    func jobFinished(_ id: String, _ outcome: DispatchOutcome) {
        let job = active.withLock { $0.removeValue(forKey: id) }
        if let job, let wait = job.probing { return probeFinished(job, wait, outcome) }
        if job == nil, id.hasSuffix("-probe") { return }  // a probe stopped with its job
        switch outcome {
        case .cancelled:
            return
        case .failed(let message):
            fail(id, message)
        case .completed(let segments):
            guard let job else { return }
            let end = store.secondsSinceSubmission(id)
            try? store.updatePhases(id) { $0.dispatchEnd = end }
            guard case .moved? = try? advance(id, { $0.dispatched() }) else { return }
            stitching.submit { [self] in stitch(id, job: job, segments: segments) }
        }
    }

    private func stitch(_ id: String, job: ActiveJob, segments: [CompletedSegment]) {
        do {
            let finished = try job.pipeline.finish(segments, outputPath: job.outputPath,
                                                   thumbnails: config.thumbnails.appendingPathComponent(id))
            var warnings = finished.warnings
            do { if let analysis = try finished.analysis?.get() { try store.saveAnalysis(id, analysis) } } catch {
                logger.warning("analysis failed", metadata: ["job": "\(id)", "error": "\(error)"])
                warnings.append("the content analysis failed: \((error as? MediaError)?.description ?? "\(error)")")
            }
            try store.updatePhases(id) {
                $0.stitchSeconds = finished.stitchSeconds
                $0.analysisSeconds = finished.analysisSeconds
            }
            let frames: Int
            if var packaged = finished.packaged {
                // An automatic ladder's record goes beside its manifests, served with them.
                if let choice = try store.ladderChoice(id) {
                    try LadderFiles.write(choice, into: URL(fileURLWithPath: job.outputPath))
                    packaged.files += ["ladder.json", "ladder.html"].filter { !packaged.files.contains($0) }
                }
                try store.finishLadder(id, directory: job.outputPath, report: packaged, quality: finished.renditionQuality, warnings: warnings)
                frames = packaged.videoFrames
            } else {
                guard let report = finished.stitched else { throw MediaError(.encodeFailed, "nothing was stitched") }
                try store.finishOutput(id, path: job.outputPath, frames: report.videoFrames, bytes: Int(report.bytes), warnings: warnings)
                frames = report.videoFrames
            }
            if case .moved = try advance(id, { $0.finished() }) {
                logger.info("job done", metadata: ["job": "\(id)", "frames": "\(frames)", "output": "\(job.outputPath)"])
            }
        } catch {
            fail(id, "stitching failed: \((error as? MediaError)?.description ?? "\(error)")")
        }
    }

    private func fail(_ id: String, _ message: String) {
        guard case .moved? = try? advance(id, { $0.fail(message) }) else { return }
        logger.warning("job failed", metadata: ["job": "\(id)", "error": "\(message)"])
    }
}
