// swift-tools-version: 6.1
import PackageDescription

/// gopfarm: a distributed, frame-exact video transcoding farm.
///
/// The agent executable links only `GopfarmAgent` + `GopfarmCommon` (libav*, libzmq, libcrypto);
/// the coordinator side may add HTTP and database dependencies without touching agent machines.
let package = Package(
    name: "gopfarm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gopfarm", targets: ["gopfarm"]),
        .executable(name: "gopfarm-agent", targets: ["gopfarm-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", path: "Common/CFFmpeg"),
        .systemLibrary(name: "CZeroMQ", path: "Common/CZeroMQ"),
        .systemLibrary(name: "COpenSSL", path: "Common/COpenSSL"),
        .target(
            name: "GopfarmCommon",
            dependencies: [
                "CFFmpeg", "CZeroMQ", "COpenSSL",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Common/GopfarmCommon"
        ),
        .target(
            name: "GopfarmCoordinator",
            dependencies: ["GopfarmCommon", .product(name: "Logging", package: "swift-log")],
            path: "Coordinator/GopfarmCoordinator"
        ),
        // What the coordinator's HTTP API sends and receives, shared by the server and its client.
        .target(
            name: "GopfarmAPI",
            dependencies: ["GopfarmCommon"],
            path: "Coordinator/GopfarmAPI"
        ),
        // The client of that API (`gopfarm submit`, `status`, … and `gopfarm bench`).
        .target(
            name: "GopfarmClient",
            dependencies: ["GopfarmAPI", "GopfarmCommon", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Coordinator/GopfarmClient"
        ),
        // The coordinator as a service: job store (SQLite), HTTP API, tokens, agent keys.
        .target(
            name: "GopfarmService",
            dependencies: [
                "GopfarmAPI", "GopfarmCoordinator", "GopfarmCommon",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Coordinator/GopfarmService"
        ),
        // `gopfarm bench`: farms of 1…N agents (local processes, emulated hosts, a real cluster),
        // the figures they give, and the report.
        .target(
            name: "GopfarmBench",
            dependencies: ["GopfarmCoordinator", "GopfarmCommon"],
            path: "Coordinator/GopfarmBench"
        ),
        .executableTarget(
            name: "gopfarm",
            dependencies: [
                "GopfarmAPI", "GopfarmClient", "GopfarmCoordinator", "GopfarmService", "GopfarmCommon", "GopfarmBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Coordinator/gopfarm"
        ),
        .target(
            name: "GopfarmAgent",
            dependencies: ["GopfarmCommon", .product(name: "Logging", package: "swift-log")],
            path: "Agent/GopfarmAgent"
        ),
        .executableTarget(
            name: "gopfarm-agent",
            dependencies: [
                "GopfarmAgent", "GopfarmAgentCLI", "GopfarmCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Agent/gopfarm-agent"
        ),
        // The agent's options, shared by `gopfarm-agent` and `gopfarm-bench-agent`.
        .target(
            name: "GopfarmAgentCLI",
            dependencies: [
                "GopfarmAgent", "GopfarmCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Agent/GopfarmAgentCLI"
        ),
        // Benchmarks only: agents that answer without encoding, alone or as a fleet in one process.
        .target(
            name: "GopfarmBenchAgent",
            dependencies: ["GopfarmAgent", "GopfarmCommon", .product(name: "Logging", package: "swift-log")],
            path: "Agent/GopfarmBenchAgent"
        ),
        .executableTarget(
            name: "gopfarm-bench-agent",
            dependencies: [
                "GopfarmBenchAgent", "GopfarmAgentCLI", "GopfarmAgent", "GopfarmCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Agent/gopfarm-bench-agent"
        ),
        .target(
            name: "TestSupport",
            dependencies: ["GopfarmCommon"],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "GopfarmCommonTests",
            dependencies: ["GopfarmCommon", "TestSupport"],
            path: "Tests/GopfarmCommonTests"
        ),
        .testTarget(
            name: "GopfarmAgentTests",
            dependencies: ["GopfarmAgent", "GopfarmCommon"],
            path: "Tests/GopfarmAgentTests"
        ),
        .testTarget(
            name: "GopfarmCoordinatorTests",
            dependencies: ["GopfarmCoordinator", "GopfarmCommon", "TestSupport"],
            path: "Tests/GopfarmCoordinatorTests"
        ),
        .testTarget(
            name: "GopfarmServiceTests",
            dependencies: [
                "GopfarmAPI", "GopfarmService", "GopfarmCoordinator", "GopfarmCommon", "TestSupport", "ServiceTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/GopfarmServiceTests"
        ),
        // A farm service on a temporary directory, for the tests that run its router in process.
        .target(
            name: "ServiceTestSupport",
            dependencies: ["GopfarmService", "TestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/ServiceTestSupport"
        ),
        .testTarget(
            name: "GopfarmClientTests",
            dependencies: [
                "GopfarmClient", "GopfarmAPI", "GopfarmService", "TestSupport", "ServiceTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/GopfarmClientTests"
        ),
        .testTarget(
            name: "GopfarmBenchTests",
            dependencies: ["GopfarmBench", "GopfarmCoordinator", "GopfarmCommon"],
            path: "Tests/GopfarmBenchTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["GopfarmCommon", "GopfarmBench", "TestSupport"],
            path: "Tests/IntegrationTests"
        ),
    ]
)
