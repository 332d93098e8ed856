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
        .executableTarget(
            name: "gopfarm",
            dependencies: [
                "GopfarmCoordinator", "GopfarmCommon",
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
                "GopfarmAgent", "GopfarmCommon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Agent/gopfarm-agent"
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
            name: "GopfarmCoordinatorTests",
            dependencies: ["GopfarmCoordinator", "GopfarmCommon", "TestSupport"],
            path: "Tests/GopfarmCoordinatorTests"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["GopfarmCommon", "TestSupport"],
            path: "Tests/IntegrationTests"
        ),
    ]
)
