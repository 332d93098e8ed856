import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// SIGTERM/SIGINT received so far: the first asks for a graceful stop, the second for an
/// immediate one.
public let terminationSignals = Atomic<Int>(0)

/// The I/O shell around `AgentCore`: owns the ZeroMQ link, the clock and the slot threads,
/// feeds the core ticks, messages and finished segments, and carries out the actions it returns
/// (as postgres-nio's channel handler does for its `ConnectionStateMachine`).
///
/// The socket lives on the thread that calls `run()`; slot threads never touch it, they leave
/// finished work in `slots`, which the loop hands to the core before each event.
public final class AgentRuntime: Sendable {
    public typealias ExitReason = AgentCore.ExitReason

    /// What slot threads share with the loop, under one lock so that a segment is always in
    /// exactly one of the two.
    struct Slots: Sendable {
        var progress: [AgentCore.SegmentKey: ProgressCounter] = [:]
        var finished: [(AgentCore.SegmentKey, ResultOutbox.Outcome)] = []
    }

    let config: AgentConfig
    let logger: Logger
    let worker: any SegmentWorker
    let slots = Mutex(Slots())

    public init(config: AgentConfig, logger: Logger, worker: any SegmentWorker = TranscodingWorker()) {
        self.config = config
        self.logger = logger
        self.worker = worker
    }

    public static func installSignalHandlers() {
        SignalHandling.install { _ in terminationSignals.add(1, ordering: .relaxed) }
    }

    /// Runs until dismissed, refused, stopped or orphaned. Blocking.
    public func run() throws -> ExitReason {
        let context = ZMQContext()
        var link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security)
        logger.info("connecting", metadata: ["coordinator": "\(config.coordinator)", "slots": "\(config.slots)",
                                              "threads": "\(config.effectiveThreads)", "security": "\(config.security.summary)"])
        let hello = AgentHello(
            name: config.name, slots: config.slots, threads: config.effectiveThreads,
            cores: ProcessInfo.processInfo.activeProcessorCount, agentVersion: GopfarmVersion.string,
            encoders: worker.encoders, pid: getpid(), prefetch: config.prefetch)
        var core = AgentCore(settings: AgentCore.Settings(config: config))
        var handshake = HandshakeWatch(security: config.security)

        /// Carries out `actions` in order; an exit reason ends the run.
        func perform(_ actions: [AgentCore.Action]) throws -> ExitReason? {
            for action in actions {
                switch action {
                case .reconnect:
                    link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security)
                case .sendHello:
                    _ = try link.send(hello.frames(version: config.protocolVersion))
                case .sendCredit(let n):
                    _ = try link.send(SegmentRequest(slots: n).frames())
                case .sendHeartbeat(let heartbeat):
                    if try link.send(withProgress(heartbeat, receiving: link.joinedBytes).frames()) { core.heartbeatSent() }
                case .sendResult(let entry):
                    if let exit = try perform(core.resultSent(accepted: try link.send(entry.frames))) { return exit }
                case .startSegment(let assignment, let payload):
                    start(assignment, payload: payload)
                case .abortSegment(let key):
                    slots.withLock { $0.progress[key]?.cancel() }
                case .leave(let reason):
                    // The goodbye goes now, not behind a result the coordinator would not confirm.
                    link.discardBacklog()
                    _ = try link.send(AgentGoodbye(reason: reason).frames())
                    link.lingerOnClose(milliseconds: 1000)
                    return .terminated
                case .exit(let reason):
                    return reason
                case .note(let note):
                    logger.log(note, config: config)
                }
            }
            return nil
        }

        while true {
            if let parent = config.parentPID, getppid() != parent { return .parentGone }
            collectFinished(into: &core)
            let signals = terminationSignals.load(ordering: .relaxed)
            if let exit = try perform(core.tick(at: MonotonicClock.now(), stopSignals: signals)) { return exit }
            if let trouble = handshake.trouble(in: link.events()) { logger.error("\(trouble)") }
            try link.flush()  // a large result's parts, as the coordinator reads them
            guard try link.socket.poll(milliseconds: link.hasBacklog ? 5 : 20) else { continue }
            let frames = try link.socket.receive()
            collectFinished(into: &core)
            let message = link.joined(frames).map { AgentCore.Incoming.read($0, logger: logger) } ?? (link.isJoining ? .part : .other)
            if let exit = try perform(core.received(message, at: MonotonicClock.now())) { return exit }
        }
    }

    /// Hands what the slot threads finished to the core.
    private func collectFinished(into core: inout AgentCore) {
        let finished = slots.withLock { s in
            defer { s.finished = [] }
            return s.finished
        }
        for (key, outcome) in finished { core.segmentFinished(key, outcome) }
    }

    /// The core's heartbeat with each running segment's frames so far, and the bytes of a
    /// segment's input still arriving.
    private func withProgress(_ heartbeat: AgentHeartbeat, receiving: Int?) -> AgentHeartbeat {
        var heartbeat = heartbeat
        heartbeat.receiving = receiving
        slots.withLock { s in
            for i in heartbeat.inProgress.indices where heartbeat.inProgress[i].queued == nil {
                let p = heartbeat.inProgress[i]
                let counter = s.progress[AgentCore.SegmentKey(job: p.job, segment: p.segment, attempt: p.attempt)]
                heartbeat.inProgress[i].frames = counter?.current ?? 0
                heartbeat.inProgress[i].activity = counter?.activity
            }
        }
        return heartbeat
    }
}

extension AgentCore.Settings {
    /// The rules an agent process runs under.
    public init(config: AgentConfig) {
        self.init(slots: config.slots, prefetch: config.prefetch, heartbeatSeconds: Double(config.heartbeatMilliseconds) / 1000,
                  stopTimeoutSeconds: config.stopTimeoutSeconds)
    }
}
