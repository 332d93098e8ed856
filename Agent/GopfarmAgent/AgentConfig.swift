import Foundation
import GopfarmCommon

/// Everything an agent process needs; the executable fills it from flags and environment.
public struct AgentConfig: Sendable {
    public var coordinator: String
    public var security: AgentSecurity
    public var name: String
    public var slots: Int
    /// Encoder/decoder threads per slot (0: cores / slots).
    public var threads: Int
    public var heartbeatMilliseconds: Int
    /// Exit when this process is gone (agents started by `gopfarm transcode`).
    public var parentPID: Int32?
    /// The protocol version announced in hello (always `WireProtocol.version` but in tests).
    public var protocolVersion: Int
    /// After the first SIGTERM/SIGINT, how long to finish the segments in progress before
    /// handing them back anyway.
    public var stopTimeoutSeconds: Double
    /// Segments taken beyond the slots and held queued while the slots work (0…4), so a slot
    /// that finishes starts the next at once: no round trip and no transfer between segments.
    public var prefetch: Int

    public init(coordinator: String, security: AgentSecurity, name: String = AgentConfig.defaultName(), slots: Int = 1,
                threads: Int = 0, heartbeatMilliseconds: Int = 1000, parentPID: Int32? = nil,
                protocolVersion: Int = WireProtocol.version, stopTimeoutSeconds: Double = 120,
                prefetch: Int = 1) {
        self.coordinator = coordinator
        self.security = security
        self.name = name
        self.slots = slots
        self.threads = threads
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.parentPID = parentPID
        self.protocolVersion = protocolVersion
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.prefetch = prefetch
    }

    public static func defaultName() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(getpid())"
    }

    public var effectiveThreads: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, slots))
    }
}
