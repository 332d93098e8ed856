import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// The coordinator's side of the agent protocol, as a thin shell around `DispatchCore`: a ZeroMQ
/// ROUTER on its own thread that decodes agents' messages, feeds them (and commands, and the
/// time) to the core, and carries out its actions: replies, segments cut out of the input and
/// sent, results validated and spooled, events recorded, outcomes published.
///
/// Everything the loop owns (socket, core, extractors) lives on the loop thread. Other threads
/// talk to it through `inbox` (commands) and read `shared` (snapshot, outcomes); the job store
/// hears of every change through the `recorder`, once per loop turn.
public final class Dispatcher: Sendable {
    enum Command: Sendable {
        /// A job, with how to open its input (on the loop thread, which owns what it opens).
        case add(DispatchJob, restored: [Int: CompletedSegment], makeExtractor: @Sendable () throws(MediaError) -> SegmentExtractor)
        /// Anything else goes to the core as it is.
        case input(DispatchInput)
    }

    struct Shared {
        var snapshot = DispatchSnapshot()
        var outcomes: [String: DispatchOutcome] = [:]
        var stopRequested = false
        var dismissOnStop = true
        var endpoint: Result<String, ZMQError>?
    }

    let bind: String
    let timing: DispatchTiming
    let security: DispatchSecurity
    let recorder: DispatchRecorder
    /// Keep each finished job's outcome until `takeOutcome` (one-shot runs); a service hears
    /// of outcomes through the recorder and keeps none, so memory stays flat however many jobs.
    let keepsOutcomes: Bool
    /// Jobs a restarted coordinator resumes: agents wait with their hello until each is added
    /// (or `resumeEnded`), so their results of those jobs are not refused as unknown.
    let resuming: Set<String>
    /// Where a large segment input waits to be sent and a large result is gathered while its
    /// parts arrive (unnamed files, `SpillFile`): the spool's disk, so the coordinator's memory
    /// does not grow with segments in flight × their size.
    let spillDirectory: URL
    let logger: Logger
    let shared = Mutex(Shared())
    let inbox = Mutex<[Command]>([])
    let startedSignal = DispatchSemaphore(value: 0)
    let loopExited = DispatchSemaphore(value: 0)

    public init(bind: String, timing: DispatchTiming = DispatchTiming(), security: DispatchSecurity = .insecure,
                recorder: DispatchRecorder = DiscardingRecorder(), keepsOutcomes: Bool = true, resuming: Set<String> = [],
                spillDirectory: URL = FileManager.default.temporaryDirectory, logger: Logger) {
        self.bind = bind
        self.spillDirectory = spillDirectory
        self.resuming = resuming
        self.keepsOutcomes = keepsOutcomes
        self.timing = timing
        self.security = security
        self.recorder = recorder
        self.logger = logger
    }

    /// Starts the loop thread; returns the bound endpoint (with the real port).
    public func start() throws(ZMQError) -> String {
        let thread = Thread { [self] in
            self.loop()
            self.loopExited.signal()
        }
        thread.name = "gopfarm-dispatcher"
        thread.start()
        startedSignal.wait()
        return try shared.withLock { $0.endpoint! }.get()
    }

    /// Queues a job; `restored` segments (coordinator restart) are done already.
    public func add(_ job: DispatchJob, restored: [Int: CompletedSegment] = [:],
                    makeExtractor: @escaping @Sendable () throws(MediaError) -> SegmentExtractor) {
        inbox.withLock { $0.append(.add(job, restored: restored, makeExtractor: makeExtractor)) }
    }

    /// The service is done resuming this job (added, or ended another way): agents stop
    /// waiting for it.
    public func resumeEnded(job: String) { inbox.withLock { $0.append(.input(.resumeEnded(job: job))) } }

    /// Stops handing out the job's segments; running ones finish and are ignored.
    public func cancel(job: String) { inbox.withLock { $0.append(.input(.cancel(job: job))) } }

    /// A drained agent finishes its segments and gets no new ones (`false` undoes it).
    public func drain(agent name: String, _ on: Bool = true) {
        inbox.withLock { $0.append(.input(.drain(agent: name, on: on))) }
    }

    /// Drops the agents using this public key at once (their segments go back to the queue)
    /// and refuses its messages from now on; the ZAP handler refuses its new connections.
    public func revokeKey(_ key: String) { inbox.withLock { $0.append(.input(.revokeKey(key))) } }

    /// Undoes `revokeKey` (ops allowed the key again).
    public func allowKey(_ key: String) { inbox.withLock { $0.append(.input(.allowKey(key))) } }

    public var snapshot: DispatchSnapshot { shared.withLock { $0.snapshot } }

    public func progress(of job: String) -> DispatchProgress? { shared.withLock { $0.snapshot.jobs[job] } }

    /// The job's outcome once it ended (taken: asked once).
    public func takeOutcome(of job: String) -> DispatchOutcome? {
        shared.withLock { $0.outcomes.removeValue(forKey: job) }
    }

    /// Ends the loop. With `dismissAgents` the agents are told to exit (a one-shot job is over);
    /// without, they notice the silence and reconnect to the next coordinator (a service restart).
    public func stop(dismissAgents: Bool = true) {
        shared.withLock {
            $0.stopRequested = true
            $0.dismissOnStop = dismissAgents
        }
        loopExited.wait()
    }
}
