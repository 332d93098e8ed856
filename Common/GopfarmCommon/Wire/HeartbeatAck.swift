/// The coordinator's answer to a heartbeat: agents that hear nothing for several heartbeats
/// assume the coordinator restarted or the network cut, and say hello again.
public struct HeartbeatAck: WireMessage, Equatable {
    public static let type = "heartbeat-ack"
    public init() {}
}
