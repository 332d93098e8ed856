import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// A job's steps through the pipeline: prepare (probe and plan), dispatch, stitch.
extension PipelineService {
    func prepare(_ row: JobRow) {
        guard let submission = row.decodedSubmission, !stopped.load(ordering: .relaxed) else { return }
        do {
            guard case .moved = try advance(row.id, { $0.start() }) else { return }
            // A resumed job keeps the slots it was first planned for: the same plan, so its
            // finished segments still fit.
            let resumedSlots = try store.phases(row.id)?.plannedSlots
            defer { planning.doneReading(row.id) }
            var pipeline = try JobPipeline(
                input: row.input, settings: submission.settings, segmentSeconds: submission.segmentSeconds ?? config.defaultSegmentSeconds,
                slotsWhenProbed: { resumedSlots ?? slotsToPlan(row.id, maxAgents: submission.maxAgents) },
                analysis: submission.analysis == false ? nil : AnalysisSettings(),
                // The container is checked to hold the codec, and a rotated source is turned
                // upright where the container cannot store rotation.
                checkedOutput: config.outputs.appendingPathComponent(row.id).appendingPathComponent(row.outputName).path,
                // Its views show the share read (an hour of H.264 in AVI is minutes of decoding).
                probeProgress: { [planning] step, fraction in planning.read(row.id, step, fraction) })
                // The dispatcher's splits of an earlier run, so its finished segments keep their places.
                .splitting(try store.phases(row.id)?.planSplits ?? [])
            // Stopped while it waited for agents: nothing stored, it is planned on the next start.
            guard !stopped.load(ordering: .relaxed) else { return }
            pipeline.logPlan(logger, job: row.id)
            // The slots first: a coordinator killed between the two still finds them with the plan.
            try store.updatePhases(row.id) {
                $0.probeSeconds = pipeline.prepared.probeSeconds
                $0.planSeconds = pipeline.prepared.planSeconds
                $0.plannedSlots = pipeline.prepared.slots
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

    /// The slots to cut a job's plan for: those of the agents connected and not draining (the
    /// `maxAgents` largest, when it has a limit). With none connected the job waits here, on its
    /// prepare thread and in state `planning`, until `SlotSettling` says the fleet is there;
    /// a cancel or a shutdown ends the wait (the plan is then never dispatched nor stored).
    func slotsToPlan(_ id: String, maxAgents: Int?) -> Int {
        planning.doneReading(id)  // asked once the input is probed
        var settling = SlotSettling()
        var toldWaiting = false
        defer {
            if toldWaiting {
                planning.endWaiting(id)
                progress.jobChanged(id)
            }
        }
        while true {
            let slots = dispatcher.snapshot.agents.filter { $0.state != .draining }.map(\.slots).sorted(by: >)
            let usable = slots.prefix(maxAgents ?? slots.count).reduce(0, +)
            if case .plan(let n) = settling.observe(slots: usable, agents: slots.count, maxAgents: maxAgents, now: MonotonicClock.now()) {
                if toldWaiting { store.event(job: id, kind: "plan", "planned for \(n) slot(s) of the agents now connected") }
                return n
            }
            if stopped.load(ordering: .relaxed) || (try? store.job(id))?.state != .planning { return max(1, usable) }
            if !toldWaiting, slots.isEmpty {
                store.event(job: id, kind: "plan", "waiting for an agent that takes work: the plan is cut for the slots of the agents that connect or stop draining")
                logger.info("waiting for agents to plan", metadata: ["job": "\(id)"])
                toldWaiting = true
                planning.beginWaiting(id)
                progress.jobChanged(id)
            }
            usleep(200_000)
        }
    }

    func dispatch(_ row: JobRow, pipeline: JobPipeline, outputPath: String, maxAgents: Int?) throws {
        let restored = try store.completedSegments(row.id)
        active.withLock { $0[row.id] = ActiveJob(pipeline: pipeline, outputPath: outputPath) }
        guard case .moved = try advance(row.id, { $0.planned() }) else {  // cancelled while planning
            active.withLock { _ = $0.removeValue(forKey: row.id) }
            return
        }
        // A job resumed after a restart keeps its first start: its segments' time spans the
        // downtime too (status said 7.7 s of segments for a job that took 30).
        let dispatchStart = store.secondsSinceSubmission(row.id)
        try store.updatePhases(row.id) { $0.dispatchStart = $0.dispatchStart ?? dispatchStart }
        var job = pipeline.dispatchJob(id: row.id, spool: config.spool, priority: row.priority, owner: row.owner, maxAgents: maxAgents)
        job.priorAttempts = try store.highestAttempts(row.id)
        active.withLock { jobs in
            if jobs[row.id] != nil { dispatcher.add(job, restored: restored, makeExtractor: pipeline.extractor) }
        }
        if !restored.isEmpty {
            logger.info("kept finished segments", metadata: ["job": "\(row.id)", "segments": "\(restored.count)"])
        }
    }

    func stitch(_ id: String, job: ActiveJob, segments: [CompletedSegment], plan: SegmentPlan) {
        do {
            let finished = try job.pipeline.finish(segments, plan: plan, outputPath: job.outputPath,
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
                    warnings += choice.warnings
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
            // The output counts against the disk budget now, not at the next sweep (this runs on
            // a stitch worker, off the cooperative pool).
            if disk?.budget != nil { _ = disk?.measure(config) }
            if case .moved = try advance(id, { $0.finished() }) {
                logger.info("job done", metadata: ["job": "\(id)", "frames": "\(frames)", "output": "\(job.outputPath)"])
            }
        } catch let error as MediaError where error.isDiskFull {
            fail(id, DiskFull.jobError(noRoomFor: "the output", in: (job.outputPath as NSString).deletingLastPathComponent))
        } catch {
            fail(id, "stitching failed: \((error as? MediaError)?.description ?? "\(error)")")
        }
    }
}
