import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// SIGTERM/SIGINT received so far: the first asks for a graceful stop, the second for an
/// immediate one.
let terminationSignals = Atomic<Int>(0)

/// An agent's life: connect, say hello, pull segments for free slots, encode each on its own
/// thread, send results and heartbeats, say hello again (with back-off, on a fresh link) when
/// the coordinator goes silent, and on SIGTERM finish what it holds before leaving.
///
/// The ZeroMQ socket lives on the thread that calls `run()`; slot threads never touch it, they
/// leave finished work in `slots`, which the loop moves to its `ResultOutbox` and sends.
public final class AgentRuntime: Sendable {
    public enum ExitReason: Sendable, Equatable {
        case dismissed(String)
        case refused(String)
        case terminated
        case parentGone
    }

    struct Active: Sendable {
        var assignment: SegmentAssignment
        var progress: ProgressCounter
    }

    /// What slot threads share with the loop, under one lock so that a segment is always in
    /// exactly one of the two (the loop counts free slots and collects results in one step).
    struct Slots: Sendable {
        var active: [String: Active] = [:]
        var finished: [ResultOutbox.Entry] = []
    }

    let config: AgentConfig
    let logger: Logger
    let slots = Mutex(Slots())

    public init(config: AgentConfig, logger: Logger) {
        self.config = config
        self.logger = logger
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
            encoders: config.instant ? ["instant"] : Encoder.availableEncoders(), pid: getpid(),
            prefetch: config.prefetch)
        let heartbeat = Double(config.heartbeatMilliseconds) / 1000
        let silence = max(5 * heartbeat, 3)
        var outbox = ResultOutbox()
        var backoff = Backoff()
        var welcomed = false
        var everWelcomed = false
        var hellos = 0
        var nextHello = MonotonicClock.now()
        var lastHeard = 0.0
        var lastHeartbeat = 0.0
        var stopSince: Double?
        var toldHandshakeTrouble = false
        /// Prefetched assignments waiting for a free slot, oldest first (this thread only).
        var queue: [(SegmentAssignment, Data)] = []

        func leave(_ reason: String) throws -> ExitReason {
            _ = try link.send(AgentGoodbye(reason: reason).frames())
            link.lingerOnClose(milliseconds: 1000)
            return .terminated
        }

        while true {
            let now = MonotonicClock.now()
            let (finished, busy) = slots.withLock { s in
                defer { s.finished = [] }
                return (s.finished, s.active.count)
            }
            outbox.add(finished)

            let signals = terminationSignals.load(ordering: .relaxed)
            if signals > 0 {
                let since = stopSince ?? now
                if stopSince == nil {
                    stopSince = now
                    logger.info("stopping: finishing \(busy) segment(s)", metadata: [
                        "undelivered results": "\(outbox.count)", "queued segments handed back": "\(queue.count)"])
                    queue = []  // our goodbye hands them back
                }
                if busy == 0, outbox.isEmpty {
                    logger.info("stopped: nothing left in progress or undelivered")
                    return try leave("agent stopped (SIGTERM)")
                }
                if signals > 1 || now - since > config.stopTimeoutSeconds {
                    logger.warning("stopping now: handing back \(busy) segment(s)", metadata: [
                        "why": "\(signals > 1 ? "second signal" : "--stop-timeout \(config.stopTimeoutSeconds) s passed")",
                        "undelivered results": "\(outbox.count)"])
                    return try leave("agent stopped before finishing its segments")
                }
            }
            if let parent = config.parentPID, getppid() != parent { return .parentGone }
            var running = busy
            while running < config.slots, !queue.isEmpty {
                let (assignment, payload) = queue.removeFirst()
                start(assignment, payload: payload)
                running += 1
            }

            if welcomed, now - lastHeard > silence {
                logger.warning("coordinator silent; saying hello again", metadata: ["seconds": "\(Int(now - lastHeard))"])
                welcomed = false
                nextHello = now
            }
            if !welcomed, now >= nextHello {
                if hellos > 0 { link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security) }
                _ = try link.send(hello.frames(version: config.protocolVersion))
                hellos += 1
                nextHello = now + backoff.next()
            }
            for event in link.events() {
                switch event.kind {
                case .handshakeSucceeded:
                    toldHandshakeTrouble = false
                case .authenticationFailed, .protocolFailed, .handshakeFailed:
                    if !toldHandshakeTrouble { logHandshakeTrouble(event) }
                    toldHandshakeTrouble = true
                case .disconnected, .other:
                    break
                }
            }

            if try link.socket.poll(milliseconds: 20) {
                lastHeard = MonotonicClock.now()
                let message: WireFrames
                do { message = try WireFrames(try link.socket.receive()) } catch {
                    logger.warning("ignoring a malformed message", metadata: ["error": "\(error)"])
                    continue
                }
                do {
                    switch message.type {
                    case AgentWelcome.type:
                        let welcome = try message.decode(AgentWelcome.self)
                        guard welcome.accepted else { return .refused(welcome.reason ?? "the coordinator refused this agent") }
                        guard !welcomed else { break }
                        welcomed = true
                        backoff.reset()
                        lastHeartbeat = 0
                        // Results finished while away are in the outbox; their slots count as free.
                        let (late, busy) = slots.withLock { s in
                            defer { s.finished = [] }
                            return (s.finished, s.active.count)
                        }
                        outbox.add(late)
                        outbox.sessionStarted()
                        logger.info(everWelcomed ? "reconnected" : "connected", metadata: [
                            "coordinator": "\(config.coordinator)", "segments in progress": "\(busy)",
                            "results to send": "\(outbox.count)"])
                        everWelcomed = true
                        let wanted = config.slots + config.prefetch - busy - queue.count
                        if stopSince == nil, wanted > 0 {
                            _ = try link.send(SegmentRequest(slots: wanted).frames())
                        }
                    case SegmentAssignment.type:
                        let assignment = try message.decode(SegmentAssignment.self)
                        if stopSince != nil {
                            // Granted before the stop; our goodbye hands it back without waiting for the lease.
                            logger.info("not starting a segment: stopping", metadata: ["segment": "\(assignment.segment)"])
                        } else if slots.withLock({ $0.active.count }) < config.slots, queue.isEmpty {
                            start(assignment, payload: message.payloads.first ?? Data())
                        } else {
                            queue.append((assignment, message.payloads.first ?? Data()))
                            logger.debug("segment queued", metadata: ["segment": "\(assignment.segment)", "queued": "\(queue.count)"])
                        }
                    case AgentGoodbye.type:
                        let bye = try message.decode(AgentGoodbye.self)
                        if bye.reason == AgentGoodbye.unknownAgent {
                            welcomed = false
                            nextHello = MonotonicClock.now()
                        } else {
                            logger.info("dismissed by the coordinator", metadata: ["reason": "\(bye.reason)"])
                            return .dismissed(bye.reason)
                        }
                    case SegmentRevoke.type:
                        let revoke = try message.decode(SegmentRevoke.self)
                        let before = queue.count
                        queue.removeAll { $0.0.job == revoke.job && $0.0.segment == revoke.segment && $0.0.attempt == revoke.attempt }
                        logger.info(queue.count < before ? "queued segment handed to an idle agent" : "segment already started; it runs on",
                                    metadata: ["segment": "\(revoke.segment)"])
                    case HeartbeatAck.type:
                        outbox.ackReceived()
                    default:
                        logger.warning("ignoring an unknown message", metadata: ["type": "\(message.type)"])
                    }
                } catch {
                    logger.warning("ignoring a malformed message", metadata: ["type": "\(message.type)", "error": "\(error)"])
                }
            }

            guard welcomed else { continue }
            outbox.add(slots.withLock { s in defer { s.finished = [] }; return s.finished })
            let freed = try outbox.flush(link.send)
            if freed > 0, stopSince == nil { _ = try link.send(SegmentRequest(slots: freed).frames()) }
            if MonotonicClock.now() - lastHeartbeat >= heartbeat {
                let progress = slots.withLock { $0.active.values.map {
                    AgentHeartbeat.Progress(job: $0.assignment.job, segment: $0.assignment.segment,
                                            attempt: $0.assignment.attempt, frames: $0.progress.current)
                } } + queue.map { a, _ in
                    AgentHeartbeat.Progress(job: a.job, segment: a.segment, attempt: a.attempt, frames: 0, queued: true)
                }
                if try link.send(AgentHeartbeat(inProgress: progress).frames()) { outbox.heartbeatSent() }
                lastHeartbeat = MonotonicClock.now()
            }
        }
    }

    /// Once per failing streak: the coordinator's refusal shows up only as a socket event, so
    /// without this an unallowed agent would wait in silence.
    private func logHandshakeTrouble(_ event: ZMQMonitor.Event) {
        switch (config.security, event.kind) {
        case (.curve(_, let keyPair), .authenticationFailed):
            // Quoted: Z85 keys hold shell characters ($ * [ & < >), never a single quote.
            logger.error("the coordinator refused this agent's key \(keyPair.publicKey); ask ops to run: gopfarm agents allow '\(keyPair.publicKey)'")
        case (.curve, _):
            logger.error("the CURVE handshake with the coordinator failed; check that --coordinator-key is what `gopfarm keys show` prints on the coordinator and that it was started with CURVE")
        case (.insecure, _):
            logger.error("the handshake with the coordinator failed; it probably requires CURVE: pass --coordinator-key (from `gopfarm keys show` on the coordinator) instead of --insecure")
        }
    }
}
