import Foundation
import GopfarmService
import Logging
import TestSupport

/// A `FarmService` on a fresh data directory for tests that drive its router in process: one
/// clip in an input directory (the only input root), plain TCP, no agents, nothing running (so
/// a submitted job just waits), and an admin token.
public struct TestFarmService: Sendable {
    public let directory: URL
    public let inputs: URL
    public let clip: String
    public let service: FarmService
    public let adminToken: String

    public init(_ name: String, maxUploadBytes: Int64 = 64 << 20) async throws {
        directory = TestPaths.scratch(name)
        inputs = directory.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        clip = inputs.appendingPathComponent("clip.mp4").path
        try FileManager.default.copyItem(atPath: try Fixture.h264BFramesMP4.path(), toPath: clip)
        var config = ServeConfig(dataDirectory: directory.appendingPathComponent("data"), inputRoots: [inputs.path])
        config.bind = "tcp://127.0.0.1:0"
        config.insecure = true
        config.webhookTargets.allowPrivate = true  // the tests' receivers listen on loopback
        config.maxUploadBytes = maxUploadBytes
        service = try FarmService(config: config, curve: nil, logger: Logger(label: name))
        adminToken = try await service.store.createToken(name: "admin", role: .admin)
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}
