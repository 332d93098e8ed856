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
        }
    }

    private func prepare(_ row: JobRow) {
        guard let submission = row.decodedSubmission, !isShuttingDown else { return }
        do {
            guard case .moved = try advance(row.id, { $0.start() }) else { return }
            // A resumed job keeps the slots it was first planned for: the same plan, so its
            // finished segments still fit.
            let slots = try store.phases(row.id)?.plannedSlots
                ?? Self.plannedSlots(dispatcher.snapshot.agents, maxAgents: submission.maxAgents)
            let pipeline = try JobPipeline(
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
            try dispatch(row, pipeline: pipeline, outputPath: outputDir.appendingPathComponent(row.outputName).path,
                         maxAgents: submission.maxAgents)
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

    /// Called (on the dispatcher's thread) after the store recorded its verdict on a job.
    func jobFinished(_ id: String, _ outcome: DispatchOutcome) {
        let job = active.withLock { $0.removeValue(forKey: id) }
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
            guard let report = finished.stitched else { throw MediaError(.encodeFailed, "nothing was stitched") }
            try store.finishOutput(id, path: job.outputPath, frames: report.videoFrames, bytes: Int(report.bytes), warnings: warnings)
            if case .moved = try advance(id, { $0.finished() }) {
                logger.info("job done", metadata: ["job": "\(id)", "frames": "\(report.videoFrames)", "output": "\(job.outputPath)"])
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
