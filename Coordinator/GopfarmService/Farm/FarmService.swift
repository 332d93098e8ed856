import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import Logging
import ServiceLifecycle
import Synchronization

/// The coordinator as a service: the API's operations (jobs come in over HTTP) over the parts it
/// wires together: the `JobStore`, the one `Dispatcher`, the `PipelineService` that takes each
/// job from probe to output, live progress and retention. Everything is in the store, so a
/// restarted coordinator resumes each unfinished job where it stopped. The long-running parts
/// are `services`, run by `FarmServer`.
public final class FarmService: Sendable {
    public let config: ServeConfig
    public let store: JobStore
    public let dispatcher: Dispatcher
    let logger: Logger
    let inputPolicy: InputPolicy
    let views: JobViews
    /// The API's reads of jobs.
    public let reader: JobReader
    /// Live views for the event streams, pushed from the dispatcher's snapshot.
    let progress: ProgressPublisher
    /// Every job's way from probe to output.
    let pipeline: PipelineService
    private let endpoint = Mutex<String?>(nil)
    /// Agent keys ops allowed (the ZAP handler asks this set, not the database, per connection).
    let allowedKeys = AllowedKeys()
    /// The coordinator's CURVE public key, nil on an insecure endpoint.
    public let publicKey: String?
    /// The data directory's use (retention sweeps measure it) against `--disk-budget`.
    let disk: DiskMeter
    let startedAt = Date()

    /// `curve` is the coordinator's key pair; nil serves agents over plain TCP (`--insecure`).
    public init(config: ServeConfig, curve: CurveKeyPair?, logger: Logger) throws {
        self.config = config
        publicKey = curve?.publicKey
        self.logger = logger
        disk = DiskMeter(budget: config.retention.diskBudgetBytes)
        for dir in [config.dataDirectory, config.spool, config.uploads, config.outputs, config.thumbnails] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        store = try JobStore(path: config.databasePath)
        inputPolicy = InputPolicy(roots: config.inputRoots, uploads: config.uploads.path, dataDirectory: config.dataDirectory.path)
        let finished = FinishedJobs()
        let allowed = allowedKeys
        let security: DispatchSecurity = curve.map { pair in .curve(secretKey: pair.secretKey) { allowed.contains($0) } } ?? .insecure
        // Jobs that were running when the last coordinator stopped: agents wait until they are
        // resumed, so the results they finished meanwhile count (`PipelineService.startJob`).
        let resuming = Set(try store.unfinishedJobs().filter { $0.state == .running }.map(\.id))
        dispatcher = Dispatcher(bind: config.bind, timing: config.timing, security: security,
                                recorder: StoreRecorder(store: store) { finished.deliver($0, $1) }, keepsOutcomes: false,
                                resuming: resuming, spillDirectory: config.spool, logger: logger)
        views = JobViews(store: store, dispatcher: dispatcher)
        progress = ProgressPublisher(views: views)
        reader = JobReader(store: store, views: views, thumbnails: config.thumbnails)
        pipeline = PipelineService(config: config, store: store, dispatcher: dispatcher, progress: progress, planning: views.planning,
                                   disk: disk, logger: logger)
        finished.pipeline.withLock { $0 = pipeline }
        reloadAllowedKeys()
        _ = disk.measure(config)
    }

    /// Binds the agent endpoint (on a thread of its own: the dispatcher's start blocks until its
    /// socket is bound) and returns it; `services` then run the farm.
    public func listen() async throws -> String {
        let dispatcher = self.dispatcher, bind = config.bind
        let bound: String
        do { bound = try await JobWorkers.offPool("gopfarm-listen") { try dispatcher.start() } } catch {
            throw APIError(.unavailable, "cannot listen for agents on \(bind): \((error as? ZMQError)?.reason ?? "\(error)")")
        }
        endpoint.withLock { $0 = bound }
        return bound
    }

    /// The farm's long-running parts, in the order they start; a graceful shutdown stops them in
    /// reverse: live progress first (ending open event streams), then the dispatcher, then the
    /// job pipeline's threads (their work in hand done).
    public var services: [any Service] {
        [pipeline, DispatcherService(farm: self), progress, RetentionService(sweeper: sweeper)]
    }

    public var agentEndpoint: String? { endpoint.withLock { $0 } }

    /// Stops dispatching, without blocking a thread of the cooperative pool; agents stay up and
    /// reconnect to the next coordinator. State is in the store.
    func stopDispatching() async {
        pipeline.stopTakingJobs()
        logger.info("stopping: unfinished jobs resume on the next start; agents wait for it")
        let dispatcher = self.dispatcher
        _ = try? await JobWorkers.offPool("gopfarm-stop") { dispatcher.stop(dismissAgents: false) }
        await store.event(job: nil, kind: "coordinator", "stopped")
    }
}

/// Routes the recorder's finished-job calls to the pipeline, which exists only after the
/// dispatcher (and so the recorder) was made.
private final class FinishedJobs: Sendable {
    let pipeline = Mutex<PipelineService?>(nil)

    func deliver(_ id: String, _ outcome: DispatchOutcome) {
        pipeline.withLock { $0 }?.jobFinished(id, outcome)
    }
}
