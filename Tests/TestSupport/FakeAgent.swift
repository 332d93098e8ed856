import Foundation
import GopfarmCommon
import Synchronization

/// An agent played by a test: a DEALER on its own thread speaking the real wire protocol (the
/// project's ZeroMQ wrapper and wire types) to a real coordinator. It says hello, asks for
/// `slots` segments once, and then only heartbeats: every heartbeat lists the segments it was
/// given with the same frame count (`frames`, 0 by default), so it is alive but makes no
/// progress. It never sends a result. That is the agent a progress-based lease must catch.
public final class FakeAgent: Sendable {
    struct State {
        var assignments: [SegmentAssignment] = []
        var welcomed = false
        var goodbye: String?
        var heartbeats = 0
        var stop = false
    }

    public let name: String
    private let state = Mutex(State())
    private let exited = DispatchSemaphore(value: 0)

    /// Connects to `endpoint` (plain TCP: the coordinator must accept insecure agents).
    public init(endpoint: String, name: String, slots: Int = 1, frames: Int = 0, heartbeatMilliseconds: Int = 250) {
        self.name = name
        let thread = Thread { [self] in
            run(endpoint: endpoint, slots: slots, frames: frames, heartbeat: Double(heartbeatMilliseconds) / 1000)
            exited.signal()
        }
        thread.name = "fake-agent-\(name)"
        thread.start()
    }

    /// The assignments received so far.
    public var assignments: [SegmentAssignment] { state.withLock { $0.assignments } }
    public var isWelcomed: Bool { state.withLock { $0.welcomed } }
    public var heartbeatsSent: Int { state.withLock { $0.heartbeats } }
    /// The coordinator's goodbye reason, once it sent one.
    public var goodbye: String? { state.withLock { $0.goodbye } }

    /// Polls `condition` every 50 ms for up to `seconds`.
    public func wait(_ seconds: Double, until condition: (FakeAgent) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition(self) {
            if Date() > deadline { return false }
            usleep(50_000)
        }
        return true
    }

    /// Says goodbye and closes the connection.
    public func stop() {
        let first = state.withLock { s in defer { s.stop = true }; return !s.stop }
        if first { exited.wait() }
    }

    private func run(endpoint: String, slots: Int, frames: Int, heartbeat: Double) {
        do {
            let socket = try ZMQSocket(context: ZMQContext(), kind: .dealer)
            try socket.connect(endpoint)
            _ = try socket.send(AgentHello(name: name, slots: slots, threads: 1, cores: 1, agentVersion: "fake",
                                           encoders: ["ffv1", "libx264"], pid: getpid()).frames())
            var lastBeat = 0.0
            var parts = WireReassembly()  // a segment's payload comes as parts
            while !state.withLock({ $0.stop }) {
                if try socket.poll(milliseconds: 20), case .message(let whole) = parts.accept(try socket.receive()) {
                    let message = try WireFrames(whole)
                    switch message.type {
                    case AgentWelcome.type:
                        let welcome = try message.decode(AgentWelcome.self)
                        state.withLock { $0.welcomed = welcome.accepted }
                        if welcome.accepted { _ = try socket.send(SegmentRequest(slots: slots).frames()) }
                    case SegmentAssignment.type:
                        let assignment = try message.decode(SegmentAssignment.self)
                        state.withLock { $0.assignments.append(assignment) }
                    case AgentGoodbye.type:
                        let bye = try message.decode(AgentGoodbye.self)
                        state.withLock { $0.goodbye = bye.reason }
                    default:
                        break  // heartbeat acks
                    }
                }
                let now = MonotonicClock.now()
                if state.withLock({ $0.welcomed }), now - lastBeat >= heartbeat {
                    let progress = assignments.map {
                        AgentHeartbeat.Progress(job: $0.job, segment: $0.segment, attempt: $0.attempt, frames: frames)
                    }
                    _ = try socket.send(AgentHeartbeat(inProgress: progress).frames())
                    state.withLock { $0.heartbeats += 1 }
                    lastBeat = now
                }
            }
            _ = try? socket.send(AgentGoodbye(reason: "test over").frames())
            usleep(100_000)  // linger 0: give the goodbye a moment to leave
        } catch {
            state.withLock { $0.goodbye = "fake agent error: \(error)" }
        }
    }
}
