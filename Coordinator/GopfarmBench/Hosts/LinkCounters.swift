/// Bytes that crossed a host's link, read from the root side of its veth
/// (/sys/class/net/IF/statistics): counted since the lab made the link.
public struct LinkCounters: Sendable, Equatable {
    /// Toward the host (segments, acks): the root side's `tx_bytes`.
    public var sentToHost: UInt64
    /// From the host (results, heartbeats): the root side's `rx_bytes`.
    public var receivedFromHost: UInt64

    public init(sentToHost: UInt64, receivedFromHost: UInt64) {
        self.sentToHost = sentToHost
        self.receivedFromHost = receivedFromHost
    }

    /// What crossed between `earlier` and `self`.
    public func since(_ earlier: LinkCounters) -> LinkCounters {
        LinkCounters(sentToHost: sentToHost - min(sentToHost, earlier.sentToHost),
                     receivedFromHost: receivedFromHost - min(receivedFromHost, earlier.receivedFromHost))
    }
}
