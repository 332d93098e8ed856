import Foundation

/// Where tests find the built executables, the shared real-content clips and scratch space.
public enum TestPaths {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/debug`, where `swift build --build-tests` put `gopfarm` and `gopfarm-agent`.
    public static var binaries: URL {
        if let dir = ProcessInfo.processInfo.environment["GOPFARM_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    public static var gopfarm: String { binaries.appendingPathComponent("gopfarm").path }
    public static var agent: String { binaries.appendingPathComponent("gopfarm-agent").path }
    /// Benchmarks and tests only: an agent that answers without encoding (`--fleet N` for many).
    public static var benchAgent: String { binaries.appendingPathComponent("gopfarm-bench-agent").path }

    /// `../shared/media` beside the project; nil (tests skip with a message) when absent.
    public static var sharedMedia: URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/media")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// `../shared/media-new`: real clips the product did not handle before, read by name.
    public static var sharedMediaNew: URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/media-new")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// Generated fixtures, cached across test runs of one build directory.
    public static var fixtures: URL {
        let url = packageRoot.appendingPathComponent(".build/test-fixtures")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A fresh scratch directory.
    public static func scratch(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gopfarm-test-\(name)-\(UUID().uuidString.prefix(6))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
