import Foundation
import GopfarmCommon

/// One host of a simulation, behaving as gopfarm-agent does on the wire: hello, credit for its
/// slots and prefetch places, a queue behind busy slots, heartbeats listing progress (and queued
/// work), a result with a request for the freed place, reconnection after 3 s of silence, and
/// results kept for re-sending across a cut.
struct SimulatedAgent {
    struct Work {
        var assignment: SegmentAssignment
        var started: Double
        var seconds: Double
        /// Never finishes (a stuck encoder): its frame count stops growing.
        var stuck = false
    }

    let index: Int
    let group: SimulationSpec.AgentGroup
    var name: String
    var speed: Double
    var alive = false
    /// A new process after a crash: events of an older one are dropped.
    var incarnation = 0
    /// A new connection after a cut: replies to an older one are dropped.
    var connection = 0
    var welcomed = false
    var lastHeard = 0.0
    var running: [Work] = []
    var queue: [SegmentAssignment] = []
    /// Results sent while the link was down, sent again after the next welcome.
    var outbox: [SegmentResult] = []
    var downlinkFree = 0.0
    var uplinkFree = 0.0
    var partitionedUntil = -Double.infinity
    /// New work never finishes (a stuck encoder, or a host that stopped making progress).
    var stalls = false
    var busySeconds = 0.0

    init(index: Int, group: SimulationSpec.AgentGroup) {
        self.index = index
        self.group = group
        name = "sim\(index)"
        speed = group.speed
    }

    var capacity: Int { group.slots + min(max(group.prefetch, 0), 4) }
    var identity: Data { Self.identity(index, connection) }
    var publicKey: String { "sim-key-\(index)" }

    func partitioned(at now: Double) -> Bool { now < partitionedUntil }

    static func identity(_ agent: Int, _ connection: Int) -> Data {
        var bytes = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: UInt32(agent).bigEndian) { for i in 0..<4 { bytes[i] = $0[i] } }
        withUnsafeBytes(of: UInt32(connection).bigEndian) { for i in 0..<4 { bytes[4 + i] = $0[i] } }
        return Data(bytes)
    }

    static func owner(of identity: Data) -> (agent: Int, connection: Int)? {
        guard identity.count == 8 else { return nil }
        let b = [UInt8](identity)
        let agent = b[0..<4].reduce(0) { $0 << 8 | Int($1) }
        let connection = b[4..<8].reduce(0) { $0 << 8 | Int($1) }
        return (agent, connection)
    }

    func hello() -> AgentHello {
        AgentHello(name: name, slots: group.slots, threads: 1, cores: 1, agentVersion: "sim", encoders: ["libx264"], pid: Int32(index),
                   prefetch: group.prefetch)
    }

    /// The heartbeat: frames done on each running segment (progress is linear in time; a stuck
    /// one stays where it stopped) and the queued ones marked so.
    func heartbeat(now: Double) -> AgentHeartbeat {
        var list = running.map { work -> AgentHeartbeat.Progress in
            let a = work.assignment
            let done = work.stuck ? min(1, a.expectedFrames / 2) : Int(Double(a.expectedFrames) * min(1, (now - work.started) / max(work.seconds, 1e-9)))
            return AgentHeartbeat.Progress(job: a.job, segment: a.segment, attempt: a.attempt, frames: done)
        }
        list += queue.map { AgentHeartbeat.Progress(job: $0.job, segment: $0.segment, attempt: $0.attempt, frames: 0, queued: true) }
        return AgentHeartbeat(inProgress: list)
    }
}
