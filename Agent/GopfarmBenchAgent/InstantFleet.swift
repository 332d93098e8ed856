import Foundation
import GopfarmAgent
import GopfarmCommon
import Logging

/// `gopfarm-bench-agent --fleet N`: N instant agents in one process, each with its own
/// connection, identity, hello, slots, heartbeats and `AgentCore` (the same protocol rules as
/// `gopfarm-agent`), all answered from one thread.
///
/// For benchmarks of the coordinator's control plane: 100 agent processes on a 2-core machine
/// spend most of the CPU on their own scheduling (200 threads waking per message), so what got
/// measured was the machine, not the coordinator. The coordinator cannot tell the difference:
/// it sees N connections saying hello, pulling work and returning results.
public final class InstantFleet {
    struct Member {
        var link: CoordinatorLink
        let hello: AgentHello
        var core: AgentCore
        /// Left (stop signal) or dismissed: its core has ended.
        var ended: AgentRuntime.ExitReason?
    }

    let config: AgentConfig
    let size: Int
    let logger: Logger

    public init(config: AgentConfig, size: Int, logger: Logger) {
        self.config = config
        self.size = size
        self.logger = logger
    }

    /// The members' rules: no prefetch (an answer is instant, nothing waits for a slot), the
    /// request for the next segment inside each result (one message less per segment), and no
    /// wait for acks on a stop (a benchmark loses nothing it would re-encode).
    var settings: AgentCore.Settings {
        AgentCore.Settings(slots: config.slots, prefetch: 0, heartbeatSeconds: Double(config.heartbeatMilliseconds) / 1000,
                           stopTimeoutSeconds: 0, creditWithResult: true)
    }

    /// Runs until every member is dismissed or a signal asks to stop. Blocking.
    public func run() throws -> AgentRuntime.ExitReason {
        let context = ZMQContext()
        var members = try (1...size).map { i throws(ZMQError) in
            let link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security)
            let hello = AgentHello(name: "\(config.name)-\(i)", slots: config.slots, threads: 1, cores: 1,
                                   agentVersion: GopfarmVersion.string, encoders: [AgentHello.instantEncoder], pid: getpid())
            return Member(link: link, hello: hello, core: AgentCore(settings: settings))
        }
        var sockets = members.map(\.link.socket)
        logger.info("fleet connecting", metadata: ["agents": "\(size)", "coordinator": "\(config.coordinator)"])

        /// Carries out member `i`'s actions; only a refusal ends the whole fleet.
        func perform(_ i: Int, _ actions: [AgentCore.Action]) throws -> AgentRuntime.ExitReason? {
            for action in actions {
                switch action {
                case .reconnect:
                    members[i].link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security)
                    sockets[i] = members[i].link.socket
                case .sendHello:
                    _ = try? members[i].link.send(members[i].hello.frames(version: config.protocolVersion))
                case .sendCredit(let n):
                    _ = try members[i].link.send(SegmentRequest(slots: n).frames())
                case .sendHeartbeat(let heartbeat):
                    if try members[i].link.send(heartbeat.frames()) { members[i].core.heartbeatSent() }
                case .sendResult(let entry):
                    let accepted = try members[i].link.send(entry.frames)
                    if let exit = try perform(i, members[i].core.resultSent(accepted: accepted)) { return exit }
                case .startSegment(let assignment, let payload):
                    members[i].core.segmentFinished(AgentCore.SegmentKey(assignment), Self.answer(assignment, payload: payload))
                case .abortSegment:
                    break  // answered at once: nothing is ever running
                case .leave(let reason):
                    _ = try? members[i].link.send(AgentGoodbye(reason: reason).frames())
                    members[i].ended = .terminated
                case .exit(.refused(let reason)):
                    return .refused(reason)
                case .exit(let reason):
                    members[i].ended = reason
                case .note:
                    break
                }
            }
            return nil
        }

        var lastSweep = -Double.infinity
        while true {
            if let parent = config.parentPID, getppid() != parent { return .parentGone }
            let now = MonotonicClock.now()
            let signals = terminationSignals.load(ordering: .relaxed)
            // Every member's timers (hellos, heartbeats, silence, a stop), at most every 10 ms.
            if signals > 0 || now - lastSweep >= 0.01 {
                lastSweep = now
                for i in members.indices where members[i].ended == nil {
                    if let exit = try perform(i, members[i].core.tick(at: now, stopSignals: signals)) { return exit }
                }
            }
            if members.allSatisfy({ $0.ended != nil }) { return finished(members) }
            for i in try ZMQSocket.poll(sockets, milliseconds: 50) where members[i].ended == nil {
                while members[i].ended == nil, let (frames, _) = try members[i].link.socket.receiveIfQueued() {
                    let message = members[i].link.joined(frames).flatMap { try? AgentCore.Incoming(frames: $0) } ?? .other
                    if let exit = try perform(i, members[i].core.received(message, at: MonotonicClock.now())) { return exit }
                }
                // Answers go out at once, not at the next sweep.
                if members[i].ended == nil, let exit = try perform(i, members[i].core.tick(at: MonotonicClock.now(), stopSignals: signals)) { return exit }
            }
        }
    }

    private func finished(_ members: [Member]) -> AgentRuntime.ExitReason {
        guard members.contains(where: { $0.ended == .terminated }) else { return .dismissed("every agent of the fleet was dismissed") }
        logger.info("fleet stopped", metadata: ["left": "\(members.count { $0.ended == .terminated })",
                                                "dismissed": "\(members.count { $0.ended != .terminated })"])
        return .terminated
    }

    /// Malformed assignments and ranges fail the segment; the payload is not checked (the
    /// coordinator checks the result).
    private static func answer(_ assignment: SegmentAssignment, payload: Data) -> ResultOutbox.Outcome {
        do {
            let output = try InstantSegment(assignment: assignment).run(payload: payload)
            return .result(output.result, payloads: [output.payload])
        } catch {
            return .failure(SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                           message: error.description, permanent: error.code == .invalidOption))
        }
    }
}
