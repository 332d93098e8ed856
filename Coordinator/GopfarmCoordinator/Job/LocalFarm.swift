import Foundation
import GopfarmCommon
import Logging

/// One job on a private dispatcher: listens for agents, starts the local ones, supervises them
/// and waits until every segment is done. Shared by `transcode` and `analyze`.
struct LocalFarm {
    var bind: String
    var timing: DispatchTiming
    var agents: Int
    var threadsPerAgent: Int
    var logger: Logger

    /// Encoder/decoder threads per local agent when not given: the machine's cores shared among them.
    static func threadsPerAgent(requested: Int, agents: Int) -> Int {
        requested > 0 ? requested : max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, agents))
    }

    /// Checks the agent count and endpoint a user gave, one sentence each.
    static func validate(agents: Int, bind: String) throws(MediaError) {
        guard (0...256).contains(agents) else { throw MediaError(.invalidOption, "--agents must be between 0 and 256") }
        if agents == 0, bind.contains(":0") || bind.hasSuffix(":*") {
            throw MediaError(.invalidOption, "--agents 0 waits for remote agents, so give --bind with a fixed port, e.g. tcp://0.0.0.0:5555")
        }
    }

    /// Listens for agents and starts the local ones, before the input is probed and planned, so
    /// the agents start and connect while the coordinator reads the input (a tenth of a second
    /// of every short job). Stop the farm when its jobs are done.
    /// The job's `spool` holds the agents' logs and the results being received.
    func start(spool: URL, listening: TranscodeJob.ListeningHandler) throws -> Running {
        let logDirectory = spool
        let dispatcher = Dispatcher(bind: bind, timing: timing, spillDirectory: spool, logger: logger)
        let endpoint: String
        do { endpoint = try dispatcher.start() } catch {
            throw MediaError(.invalidOption, "cannot listen for agents on \(bind): \(error.reason)")
        }
        listening(endpoint)
        let running = Running(dispatcher: dispatcher, logDirectory: logDirectory)
        if agents > 0 {
            let connectTo = endpoint.replacingOccurrences(of: "tcp://0.0.0.0:", with: "tcp://127.0.0.1:")
            do {
                running.localAgents = try LocalAgents(count: agents, endpoint: connectTo, threads: threadsPerAgent,
                                                      logDirectory: logDirectory, logger: logger)
            } catch {
                running.stop()
                throw error
            }
        }
        return running
    }

    /// A started farm: its dispatcher and local agents, which run one job after another.
    final class Running {
        let dispatcher: Dispatcher
        let logDirectory: URL
        fileprivate(set) var localAgents: LocalAgents?
        private var stopped = false

        fileprivate init(dispatcher: Dispatcher, logDirectory: URL) {
            self.dispatcher = dispatcher
            self.logDirectory = logDirectory
        }

        deinit { stop() }

        /// Dismisses the agents and closes the dispatcher; safe to call twice.
        func stop() {
            if let stopping {
                _ = stopping.value()
                self.stopping = nil
            }
            guard !stopped else { return }
            stopped = true
            dispatcher.stop()
            localAgents?.stop()
        }

        private var stopping: BackgroundResult<Void>?

        /// Starts `stop()` on another thread, for when the farm's last job is in: the stitch
        /// need not wait for the agents to exit. `stop()` then waits for it.
        func beginStop() {
            guard !stopped, stopping == nil else { return }
            stopped = true
            // Nothing else touches the agents once the last job is in (`run` supervises them).
            nonisolated(unsafe) let agents = localAgents
            let dispatcher = self.dispatcher
            stopping = BackgroundResult(label: "gopfarm-farm-stop") {
                dispatcher.stop()
                agents?.stop()
            }
        }

        /// The completed segments and the plan they were cut by (the dispatcher may have split
        /// segments), or a one-sentence error (cancelled, failed, agents dying).
        func run(_ job: DispatchJob, extractor: @escaping @Sendable () throws(MediaError) -> SegmentExtractor, started: Double,
                 progress: TranscodeJob.ProgressHandler) throws -> (segments: [CompletedSegment], plan: SegmentPlan, requeues: Int, restarts: Int) {
            dispatcher.add(job, makeExtractor: extractor)
            // The outcome is looked for every 10 ms (the stitch starts as soon as the last
            // segment is in), progress reported four times a second.
            var outcome: DispatchOutcome?
            var reported = MonotonicClock.now()
            while outcome == nil {
                Thread.sleep(forTimeInterval: 0.01)
                outcome = dispatcher.takeOutcome(of: job.id)
                let now = MonotonicClock.now()
                if outcome == nil, now - reported >= 0.25 {
                    reported = now
                    if let p = dispatcher.progress(of: job.id) { progress(p, now - started) }
                    if let agents = localAgents, !agents.supervise() {
                        throw MediaError(.decodeFailed, "local agents keep dying (\(agents.restarts) restarts); see the agent logs (--keep-spool keeps them in \(logDirectory.path))")
                    }
                }
                if transcodeCancelled.load(ordering: .relaxed) {
                    throw MediaError(.invalidOption, "cancelled; no output was written")
                }
            }
            switch outcome! {
            case .failed(let message): throw MediaError(.encodeFailed, message)
            case .cancelled: throw MediaError(.invalidOption, "cancelled; no output was written")
            case .completed(let segments, let plan):
                return (segments, plan, dispatcher.snapshot.counters.requeues, localAgents?.restarts ?? 0)
            }
        }
    }
}
