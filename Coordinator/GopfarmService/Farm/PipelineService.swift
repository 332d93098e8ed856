import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import GRDB
import Logging
import ServiceLifecycle
import Synchronization

/// The service's job pipeline, the shell around `JobPipeline` and each job's `JobStateMachine`:
/// probe and plan on the prepare threads, dispatch by the one `Dispatcher`, stitch and analysis
/// on the stitch threads. Each step's state move is judged by the job's state machine and made
/// by the store's compare-and-set, so a cancel racing any step leaves one answer. As a lifecycle
/// service it starts its threads and resumes every unfinished job (a restart: finished segments
/// are kept); on graceful shutdown it takes no more work and finishes the work in hand (what
/// still waits resumes on the next start, from the store).
final class PipelineService: Service, Sendable {
    /// A job the dispatcher works on: what stitching needs later.
    struct ActiveJob: Sendable {
        var pipeline: JobPipeline
        var outputPath: String
        /// Set on an automatic ladder's probe (held under `probeID(job)`): what the job waits
        /// for, so the probe's outcome goes back to it instead of to the store's verdict.
        var probing: LadderProbeWait?
    }

    let config: ServeConfig
    let store: JobStore
    let dispatcher: Dispatcher
    let progress: ProgressPublisher
    /// What the jobs being planned are doing: reading their input, waiting for an agent (their views say so).
    let planning: PlanningJobs
    /// Measured again when a job has written its output, so the budget counts it at once.
    let disk: DiskMeter?
    let logger: Logger
    /// Probe and plan, at most two at once (each reads a whole input).
    let preparing = JobWorkers(name: "gopfarm-prepare", count: 2)
    /// Stitch and analysis.
    let stitching = JobWorkers(name: "gopfarm-stitch", count: 2)
    /// Planned jobs the dispatcher holds; a job leaves it when it finishes or is cancelled.
    let active = Mutex<[String: ActiveJob]>([:])
    /// Set once dispatching stops: no job starts preparing after it.
    let stopped = Atomic<Bool>(false)

    init(config: ServeConfig, store: JobStore, dispatcher: Dispatcher, progress: ProgressPublisher, planning: PlanningJobs,
         disk: DiskMeter? = nil, logger: Logger) {
        self.config = config
        self.disk = disk
        self.store = store
        self.dispatcher = dispatcher
        self.progress = progress
        self.planning = planning
        self.logger = logger
    }

    func run() async throws {
        preparing.start()
        stitching.start()
        await resumeUnfinished()
        try? await gracefulShutdown()
        await preparing.stop()
        await stitching.stop()
    }

    /// No job starts preparing from now on; it waits in the store for the next start.
    func stopTakingJobs() { stopped.store(true, ordering: .relaxed) }

    /// Resumes every unfinished job (a restart): finished segments are kept.
    private func resumeUnfinished() async {
        do {
            // Running jobs first: agents wait for them (`Dispatcher.resuming`), and a job still to
            // be planned may wait for agents on a prepare thread.
            let rows = try await store.unfinishedJobs()
            for row in rows.filter({ $0.state == .running }) + rows.filter({ $0.state != .running }) {
                logger.info("resuming job", metadata: ["job": "\(row.id)", "state": "\(row.state.rawValue)"])
                startJob(row)
            }
        } catch is CancellationError {
            // serve is stopping before it started (a port in use): the jobs resume next time.
        } catch {
            logger.error("cannot read the unfinished jobs", metadata: ["error": "\(error)"])
        }
    }

    /// Queues the job's probe and plan; once stopped, it waits in the store for the next start.
    /// However preparing ends (dispatched, failed, cancelled), agents stop waiting for the job
    /// if it was one a restart resumes (`Dispatcher.resuming`; a no-op for the others).
    func startJob(_ row: JobRow) {
        preparing.submit { [self] in
            prepare(row)
            dispatcher.resumeEnded(job: row.id)
        }
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
        case .completed(let segments, let plan):
            guard let job else { return }
            let end = store.secondsSinceSubmission(id)
            try? store.updatePhases(id) { $0.dispatchEnd = end }
            untilStored("that its segments are done", job: id) { [self] in
                guard case .moved = try advance(id, { $0.dispatched() }) else { return }
                stitching.submit { [self] in stitch(id, job: job, segments: segments, plan: plan) }
            }
        }
    }

    func fail(_ id: String, _ message: String) {
        untilStored("that it failed (\(message))", job: id) { [self] in
            guard case .moved = try advance(id, { $0.fail(message) }) else { return }
            logger.warning("job failed", metadata: ["job": "\(id)", "error": "\(message)"])
        }
    }

    /// Runs a step that records a job's move and, while the store cannot write it (its disk is
    /// full), again every 2 s until it can or the service stops (a restart resumes the job from
    /// what the store holds). Dropped, the move left a job "running" for good after the
    /// dispatcher had let it go, and every `submit --wait` on it waiting forever.
    func untilStored(_ what: String, job id: String, tries: Int = 0, _ step: @escaping @Sendable () throws -> Void) {
        do {
            try step()
            if tries > 0 { logger.info("recorded at last", metadata: ["job": "\(id)", "what": "\(what)", "tries": "\(tries + 1)"]) }
        } catch {
            // Only the store's own failures pass (a full disk, a busy database); any other says
            // something is wrong with the job itself, and trying again would not help.
            guard error is DatabaseError else {
                logger.error("cannot record \(what)", metadata: ["job": "\(id)", "error": "\(error)"])
                return
            }
            if tries == 0 {
                logger.error("cannot record \(what); trying again every 2 s", metadata: [
                    "job": "\(id)", "error": "\(error)", "dataDirectory": "\(config.dataDirectory.path)"])
            }
            guard !stopped.load(ordering: .relaxed) else { return }
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) { [self] in untilStored(what, job: id, tries: tries + 1, step) }
        }
    }
}
