import Foundation

/// `GET /v1/coordinator`: what a client or an agent needs to know about the coordinator.
public struct CoordinatorInfo: Codable, Sendable, Equatable {
    public var version: String
    /// Where agents connect (nil before the dispatcher listens).
    public var agentEndpoint: String?
    /// The coordinator's CURVE public key (nil on an insecure endpoint).
    public var publicKey: String?
    public var protocolVersion: Int?
    /// The data directory's use and budget (nil from a coordinator that does not report it).
    public var disk: DiskUsage?
    public init(version: String, agentEndpoint: String?, publicKey: String?, protocolVersion: Int?, disk: DiskUsage? = nil) {
        self.version = version
        self.agentEndpoint = agentEndpoint
        self.publicKey = publicKey
        self.protocolVersion = protocolVersion
        self.disk = disk
    }
}
