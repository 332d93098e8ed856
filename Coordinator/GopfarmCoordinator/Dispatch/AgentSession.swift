import Foundation

/// What the dispatcher knows of one connected agent.
struct AgentSession {
    let identity: Data
    var name: String
    var slots: Int
    var credits = 0
    var lastSeen: Double
    var leases: Set<Int> = []
    /// Frames done per leased segment, from the last heartbeat.
    var progress: [Int: Int] = [:]
    var segmentsDone = 0
}
