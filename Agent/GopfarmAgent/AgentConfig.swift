import Foundation
import GopfarmCommon

/// Everything an agent process needs; the executable fills it from flags and environment.
public struct AgentConfig: Sendable {
    public var coordinator: String
    public var name: String
    public var slots: Int
    /// Encoder/decoder threads per slot (0: cores / slots).
    public var threads: Int
    public var heartbeatMilliseconds: Int
    /// Exit when this process is gone (agents started by `gopfarm transcode`).
    public var parentPID: Int32?
    /// The protocol version announced in hello (always `WireProtocol.version` but in tests).
    public var protocolVersion: Int

    public init(coordinator: String, name: String = AgentConfig.defaultName(), slots: Int = 1, threads: Int = 0,
                heartbeatMilliseconds: Int = 1000, parentPID: Int32? = nil, protocolVersion: Int = WireProtocol.version) {
        self.coordinator = coordinator
        self.name = name
        self.slots = slots
        self.threads = threads
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.parentPID = parentPID
        self.protocolVersion = protocolVersion
    }

    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }

    public var effectiveThreads: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, slots))
    }
}
