import Foundation
import Testing
import TestSupport

/// The client commands' settings (flags, environment, config file) and their one-sentence
/// failures, checked by running the real `gopfarm` without a coordinator: nothing listens on
/// 127.0.0.1 ports 1–3, so a command that got as far as connecting names the URL it used.
@Suite("Client options")
struct ClientOptionsTests {
    /// A HOME with nothing in it, and no GOPFARM_* from the environment running the tests.
    struct Home {
        let dir = TestPaths.scratch("client-home")
        var environment: [String: String] {
            ["HOME": dir.path, "GOPFARM_URL": "", "GOPFARM_TOKEN": "", "GOPFARM_CONFIG": ""]
        }

        func writeConfig(_ json: String, at relative: String = ".config/gopfarm/config.json") throws -> String {
            let url = dir.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try json.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }

        func run(_ arguments: [String], _ extra: [String: String] = [:]) throws -> Subprocess.Output {
            try Subprocess.run(TestPaths.gopfarm, arguments, timeout: 60, environment: environment.merging(extra) { $1 })
        }
    }

    static let unreachable = "gopfarm: error: cannot reach the coordinator at"

    @Test("no token anywhere: exit 1 with one sentence naming --token, GOPFARM_TOKEN and the config file")
    func noToken() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        let out = try home.run(["jobs"])
        #expect(out.status == 1)
        #expect(out.stdout.isEmpty)
        let lines = out.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(out.stderr)")
        #expect(out.stderr.hasPrefix("gopfarm: error: no API token"))
        for way in ["--token", "GOPFARM_TOKEN", "~/.config/gopfarm/config.json"] {
            #expect(out.stderr.contains(way), "\(out.stderr)")
        }
    }

    @Test("a coordinator that is not there: exit 1, 'cannot reach the coordinator at URL'")
    func unreachableCoordinator() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        let out = try home.run(["jobs", "--url", "http://127.0.0.1:1", "--token", "x"])
        #expect(out.status == 1)
        #expect(out.stderr == "\(Self.unreachable) http://127.0.0.1:1 (is `gopfarm serve` running?)\n")
        // Every client command goes through the same path; `agents` alone lists (default subcommand).
        for args in [["agents"], ["agents", "--json"], ["agents", "keys"], ["status", "abc"], ["cancel", "abc"], ["drain", "a1"],
                     ["token", "create", "--role", "ops", "--name", "n"]] {
            let o = try home.run(args + ["--url", "http://127.0.0.1:1", "--token", "x"])
            #expect(o.status == 1, "\(args): \(o.stderr)")
            #expect(o.stderr.hasPrefix(Self.unreachable), "\(args): \(o.stderr)")
        }
    }

    @Test("the config file supplies URL and token when flags and environment do not")
    func configFile() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        _ = try home.writeConfig(#"{"url": "http://127.0.0.1:2/", "token": "from-file"}"#)
        let out = try home.run(["jobs"])
        #expect(out.status == 1)
        #expect(out.stderr.hasPrefix("\(Self.unreachable) http://127.0.0.1:2 "), "\(out.stderr)")

        // The environment wins over the file, the flag over the environment.
        let env = try home.run(["jobs"], ["GOPFARM_URL": "http://127.0.0.1:3"])
        #expect(env.stderr.hasPrefix("\(Self.unreachable) http://127.0.0.1:3 "), "\(env.stderr)")
        let flag = try home.run(["jobs", "--url", "http://127.0.0.1:1"], ["GOPFARM_URL": "http://127.0.0.1:3"])
        #expect(flag.stderr.hasPrefix("\(Self.unreachable) http://127.0.0.1:1 "), "\(flag.stderr)")

        // --config and GOPFARM_CONFIG name another file.
        let other = try home.writeConfig(#"{"url": "http://127.0.0.1:3", "token": "t"}"#, at: "other.json")
        let named = try home.run(["jobs", "--config", other])
        #expect(named.stderr.hasPrefix("\(Self.unreachable) http://127.0.0.1:3 "), "\(named.stderr)")
        let viaEnv = try home.run(["jobs"], ["GOPFARM_CONFIG": other])
        #expect(viaEnv.stderr.hasPrefix("\(Self.unreachable) http://127.0.0.1:3 "), "\(viaEnv.stderr)")
    }

    @Test("a config file with only a URL still needs a token; bad files and URLs are one sentence")
    func configProblems() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        _ = try home.writeConfig(#"{"url": "http://127.0.0.1:2"}"#)
        let noToken = try home.run(["jobs"])
        #expect(noToken.status == 1)
        #expect(noToken.stderr.hasPrefix("gopfarm: error: no API token"), "\(noToken.stderr)")

        let broken = try home.writeConfig("url = http://x", at: "broken.json")
        let bad = try home.run(["jobs", "--config", broken])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("gopfarm: error: config file \(broken): is not JSON"), "\(bad.stderr)")

        let missing = try home.run(["jobs", "--config", home.dir.appendingPathComponent("nope.json").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.json: no such file"), "\(missing.stderr)")

        let badURL = try home.run(["jobs", "--url", "ftp://example.com", "--token", "x"])
        #expect(badURL.status == 1)
        #expect(badURL.stderr == "gopfarm: error: 'ftp://example.com' is not a coordinator URL such as http://127.0.0.1:8080\n")
    }

    @Test("usage errors exit 64: bad --priority, bad --role, missing -o")
    func usage() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        let priority = try home.run(["submit", "in.mp4", "-o", "out.mp4", "--priority", "urgent", "--token", "x"])
        #expect(priority.status == 64)
        #expect(priority.stderr.contains("--priority"), "\(priority.stderr)")
        let role = try home.run(["token", "create", "--role", "root", "--name", "n", "--token", "x"])
        #expect(role.status == 64)
        let output = try home.run(["submit", "in.mp4", "--token", "x"])
        #expect(output.status == 64)
        let help = try home.run(["submit", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--crf") && help.stdout.contains("--wait") && help.stdout.contains("--url"))
    }

    @Test("submit checks encoder settings before contacting the coordinator")
    func submitValidatesLocally() throws {
        let home = Home()
        defer { try? FileManager.default.removeItem(at: home.dir) }
        let out = try home.run(["submit", "in.mp4", "-o", "out.mp4", "--preset", "warp-speed", "--url", "http://127.0.0.1:1", "--token", "x"])
        #expect(out.status == 64, "a usage error, as in transcode")
        #expect(out.stderr.hasSuffix("hint: see 'gopfarm submit --help'\n"), "\(out.stderr)")
        #expect(out.stderr.hasPrefix("gopfarm: error: preset 'warp-speed' is not a libx264 preset"), "\(out.stderr)")
        let upload = try home.run(["submit", home.dir.appendingPathComponent("absent.mp4").path, "-o", "out.mp4", "--upload",
                                   "--url", "http://127.0.0.1:1", "--token", "x"])
        #expect(upload.status == 1)
        #expect(upload.stderr.contains("absent.mp4: no such file"), "\(upload.stderr)")
    }
}
