import Foundation
import GopfarmCommon
import Logging
import Synchronization

/// Set by SIGTERM/SIGINT; the connection loop hands back its segments and leaves.
let terminationRequested = Atomic<Bool>(false)

/// An agent's life: connect, say hello, pull segments for free slots, encode each on its own
/// thread, send results and heartbeats, reconnect when the coordinator goes away.
///
/// The ZeroMQ socket lives on the thread that calls `run()`; slot threads never touch it, they
/// put finished work in `outbox`, which the loop sends.
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

    let config: AgentConfig
    let logger: Logger
    private let outbox = Mutex<[[Data]]>([])
    private let active = Mutex<[String: Active]>([:])

    public init(config: AgentConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    public static func installSignalHandlers() {
        SignalHandling.install { _ in terminationRequested.store(true, ordering: .relaxed) }
    }

    /// Runs until dismissed, refused, terminated or orphaned. Blocking.
    public func run() throws -> ExitReason {
        let context = ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        try socket.setOption(gf_reconnectInterval, 200)
        try socket.setOption(gf_reconnectIntervalMax, 5000)
        try socket.setOption64(gf_maxMessageSize, Int64(WireProtocol.maxPayloadBytes) + 1 << 20)
        try socket.connect(config.coordinator)
        logger.info("connecting", metadata: ["coordinator": "\(config.coordinator)", "slots": "\(config.slots)",
                                              "threads": "\(config.effectiveThreads)"])
        let hello = AgentHello(
            name: config.name, slots: config.slots, threads: config.effectiveThreads,
            cores: ProcessInfo.processInfo.activeProcessorCount, agentVersion: GopfarmVersion.string,
            encoders: Encoder.availableEncoders(), pid: getpid())
        var welcomed = false
        var lastHello = -1e9
        var lastHeartbeat = MonotonicClock.now()
        var lastHeard = MonotonicClock.now()
        let heartbeat = Double(config.heartbeatMilliseconds) / 1000

        while true {
            let now = MonotonicClock.now()
            if terminationRequested.load(ordering: .relaxed) {
                try socket.send(AgentGoodbye(reason: "agent stopped (SIGTERM)").frames())
                logger.info("stopping: unfinished segments are handed back")
                return .terminated
            }
            if let parent = config.parentPID, getppid() != parent { return .parentGone }
            if !welcomed, now - lastHello > 1.0 {
                try socket.send(hello.frames(version: config.protocolVersion))
                lastHello = now
            }
            if welcomed, now - lastHeard > max(5 * heartbeat, 3) {
                logger.warning("coordinator silent; saying hello again")
                welcomed = false
            }
            if try socket.poll(milliseconds: 20) {
                lastHeard = MonotonicClock.now()
                let frames = try socket.receive()
                let message: WireFrames
                do { message = try WireFrames(frames) } catch {
                    logger.warning("ignoring a malformed message", metadata: ["error": "\(error)"])
                    continue
                }
                switch message.type {
                case AgentWelcome.type:
                    let welcome = try message.decode(AgentWelcome.self)
                    guard welcome.accepted else {
                        return .refused(welcome.reason ?? "the coordinator refused this agent")
                    }
                    if !welcomed {
                        welcomed = true
                        logger.info("connected", metadata: ["coordinator": "\(config.coordinator)"])
                        let free = config.slots - active.withLock { $0.count }
                        if free > 0 { try socket.send(SegmentRequest(slots: free).frames()) }
                    }
                case SegmentAssignment.type:
                    let assignment = try message.decode(SegmentAssignment.self)
                    start(assignment, payload: message.payloads.first ?? Data())
                case AgentGoodbye.type:
                    let bye = try message.decode(AgentGoodbye.self)
                    if bye.reason == AgentGoodbye.unknownAgent {
                        welcomed = false
                        lastHello = -1e9
                    } else {
                        logger.info("dismissed by the coordinator", metadata: ["reason": "\(bye.reason)"])
                        return .dismissed(bye.reason)
                    }
                case HeartbeatAck.type:
                    break
                default:
                    logger.warning("ignoring an unknown message", metadata: ["type": "\(message.type)"])
                }
            }
            let pending = outbox.withLock { box -> [[Data]] in defer { box.removeAll() }; return box }
            for frames in pending { try socket.send(frames) }
            if welcomed, MonotonicClock.now() - lastHeartbeat >= heartbeat {
                let progress = active.withLock { $0.values.map {
                    AgentHeartbeat.Progress(job: $0.assignment.job, segment: $0.assignment.segment,
                                            attempt: $0.assignment.attempt, frames: $0.progress.current)
                } }
                try socket.send(AgentHeartbeat(inProgress: progress).frames())
                lastHeartbeat = MonotonicClock.now()
            }
        }
    }

    /// Starts a slot thread for `assignment`; its outcome lands in `outbox` with a new request.
    private func start(_ assignment: SegmentAssignment, payload: Data) {
        let key = "\(assignment.job)/\(assignment.segment)/\(assignment.attempt)"
        let progress = ProgressCounter()
        active.withLock { $0[key] = Active(assignment: assignment, progress: progress) }
        logger.info("segment assigned", metadata: ["job": "\(assignment.job)", "segment": "\(assignment.segment)",
                                                   "attempt": "\(assignment.attempt)", "bytes": "\(payload.count)"])
        let thread = Thread { [self] in
            let frames = self.encode(assignment, payload: payload, progress: progress)
            self.active.withLock { _ = $0.removeValue(forKey: key) }
            self.outbox.withLock {
                $0.append(frames)
                $0.append(SegmentRequest(slots: 1).frames())
            }
        }
        thread.name = "gopfarm-slot"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func encode(_ assignment: SegmentAssignment, payload: Data, progress: ProgressCounter) -> [Data] {
        func failure(_ message: String, permanent: Bool) -> [Data] {
            logger.error("segment failed", metadata: ["segment": "\(assignment.segment)", "error": "\(message)"])
            return SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                  message: message, permanent: permanent).frames()
        }
        guard SHA256.hex(payload) == assignment.payloadSHA256 else {
            return failure("the segment payload arrived damaged (SHA-256 mismatch)", permanent: false)
        }
        do {
            let output = try SegmentTranscoder(assignment: assignment, progress: progress).run(payload: payload)
            logger.info("segment done", metadata: [
                "segment": "\(assignment.segment)", "frames": "\(output.result.frames)",
                "seconds": "\(String(format: "%.2f", output.result.decodeSeconds + output.result.encodeSeconds))",
                "bytes": "\(output.payload.count)"])
            return output.result.frames(payloads: [output.payload])
        } catch {
            let permanent = [.invalidOption, .encoderNotFound, .unsupportedCodec].contains(error.code)
            return failure(error.description, permanent: permanent)
        }
    }
}
