import Foundation
import GopfarmCommon
import GopfarmCoordinator

/// `--ladder auto`: before its job is dispatched, the agents encode the probe, and the rungs
/// are chosen from what they measured.
extension PipelineService {
    /// `--ladder auto`: the agents first encode the probe, dispatched beside other jobs under
    /// `probeID`; `probeFinished` picks the rungs and dispatches the job. The job stays
    /// `planning` meanwhile, so a cancel stops the probe (`moved`).
    func startProbe(_ wait: LadderProbeWait, pipeline: JobPipeline, outputPath: String) throws {
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
    func probeFinished(_ job: ActiveJob, _ wait: LadderProbeWait, _ outcome: DispatchOutcome) {
        let id = wait.row.id
        switch outcome {
        case .cancelled:
            return
        case .failed(let message):
            fail(id, "the ladder probe failed: \(message)")
        case .completed(let segments, _):
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
}
