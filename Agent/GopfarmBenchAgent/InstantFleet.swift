import Foundation
import GopfarmCommon
import Logging

/// Test mode (`gopfarm-agent --instant --fleet N`): N instant agents in one process, each with
/// its own connection, identity, hello, slots and heartbeats, all answered from one thread.
///
/// For benchmarks of the coordinator's control plane: 100 agent processes on a 2-core machine
/// spend most of the CPU on their own scheduling (200 threads waking per message), so what got
/// measured was the machine, not the coordinator. The coordinator cannot tell the difference:
/// it sees N connections saying hello, pulling work and returning results.
public final class InstantFleet {
    struct Member {
        let link: CoordinatorLink
        var socket: ZMQSocket { link.socket }
        let hello: AgentHello
        var welcomed = false
        var dismissed = false
        var nextHello = 0.0
    }

    let config: AgentConfig
    let size: Int
    let logger: Logger

    public init(config: AgentConfig, size: Int, logger: Logger) {
        self.config = config
        self.size = size
        self.logger = logger
    }

    /// Runs until every member is dismissed or a signal asks to stop. Blocking.
    public func run() throws -> AgentRuntime.ExitReason {
        let context = ZMQContext()
        var members = try (1...size).map { i throws(ZMQError) in
            let link = try CoordinatorLink(context: context, endpoint: config.coordinator, security: config.security)
            let hello = AgentHello(name: "\(config.name)-\(i)", slots: config.slots, threads: 1, cores: 1,
                                   agentVersion: GopfarmVersion.string, encoders: ["instant"], pid: getpid())
            return Member(link: link, hello: hello)
        }
        let sockets = members.map(\.socket)
        let heartbeat = Double(config.heartbeatMilliseconds) / 1000
        var lastHeartbeat = MonotonicClock.now()
        logger.info("fleet connecting", metadata: ["agents": "\(size)", "coordinator": "\(config.coordinator)"])
        while true {
            let now = MonotonicClock.now()
            if terminationSignals.load(ordering: .relaxed) > 0 {
                for m in members where m.welcomed && !m.dismissed {
                    _ = try? m.socket.send(AgentGoodbye(reason: "agent stopped (SIGTERM)").frames())
                }
                logger.info("fleet stopped", metadata: ["connected": "\(members.count { $0.welcomed && !$0.dismissed })",
                                                        "dismissed": "\(members.count(where: \.dismissed))",
                                                        "never welcomed": "\(members.count { !$0.welcomed && !$0.dismissed })"])
                return .terminated
            }
            if let parent = config.parentPID, getppid() != parent { return .parentGone }
            if members.allSatisfy(\.dismissed) { return .dismissed("every agent of the fleet was dismissed") }
            for i in members.indices where !members[i].welcomed && !members[i].dismissed && now >= members[i].nextHello {
                // Not connected yet (the send would block): try again on the next turn.
                let sent = (try? members[i].link.send(members[i].hello.frames(version: config.protocolVersion))) ?? false
                members[i].nextHello = sent ? now + 1 : now
            }
            for i in try ZMQSocket.poll(sockets, milliseconds: 50) {
                while let (frames, _) = try members[i].socket.receiveIfQueued() {
                    if case .refused(let reason) = try handle(frames, member: &members[i]) { return .refused(reason) }
                }
            }
            if now - lastHeartbeat >= heartbeat {
                for m in members where m.welcomed { _ = try? m.socket.send(AgentHeartbeat(inProgress: []).frames()) }
                lastHeartbeat = now
            }
        }
    }

    private enum Handled { case ok, refused(String) }

    /// Malformed messages are ignored (a benchmark tool, not the agent); only socket errors throw.
    private func handle(_ frames: [Data], member m: inout Member) throws(ZMQError) -> Handled {
        let message: WireFrames
        do { message = try WireFrames(frames) } catch { return .ok }
        switch message.type {
        case AgentWelcome.type:
            guard let welcome = try? message.decode(AgentWelcome.self) else { return .ok }
            guard welcome.accepted else { return .refused(welcome.reason ?? "the coordinator refused this agent") }
            // Every welcome starts a session with no credits (a repeated hello replaced the first);
            // nothing is ever in progress here, so every slot is free.
            m.welcomed = true
            _ = try m.socket.send(SegmentRequest(slots: config.slots).frames())
        case SegmentAssignment.type:
            guard let assignment = try? message.decode(SegmentAssignment.self) else { return .ok }
            switch Result(catching: { () throws(MediaError) in
                try InstantSegment(assignment: assignment).run(payload: message.payloads.first ?? Data())
            }) {
            case .success(var output):
                output.result.requestSlots = 1  // the slot is free again: ask for the next segment in the same message
                _ = try m.socket.send(output.result.frames(payloads: [output.payload]))
            case .failure(let error):
                _ = try m.socket.send(SegmentFailure(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt,
                                                     message: error.description, permanent: error.code == .invalidOption).frames())
                _ = try m.socket.send(SegmentRequest(slots: 1).frames())
            }
        case AgentGoodbye.type:
            guard let bye = try? message.decode(AgentGoodbye.self) else { return .ok }
            if bye.reason == AgentGoodbye.unknownAgent {
                m.welcomed = false
                m.nextHello = 0
            } else {
                m.dismissed = true
            }
        default:
            break  // heartbeat acks
        }
        return .ok
    }
}
