import Foundation
import Testing
import TestSupport

/// The web dashboard in headless Chromium (Debian's chromium and chromium-driver, selenium from
/// PyPI; `deploy/install-deps.sh --test` installs them): a real `gopfarm serve` with one real
/// agent, driven by Tests/IntegrationTests/dashboard/drive.py. A producer logs in, uploads a
/// clip through the form, watches the progress bar reach done, opens the report, fails to see
/// another producer's job and the agents page, and watches a job's row in the jobs list go from
/// waiting to done without a reload; ops watch the agents page follow a drain and a resume made
/// through the API without a reload, then drain the agent from the page, and a job submitted
/// then says on its page, from its event stream, that it waits for an agent.
/// `GOPFARM_DASHBOARD_SCREENSHOTS=docs` also writes the README's screenshots there.
@Suite("Dashboard in a browser", .serialized)
struct DashboardBrowserTests {
    static let script = TestPaths.packageRoot.appendingPathComponent("Tests/IntegrationTests/dashboard/drive.py").path

    /// Why the browser cannot run here, or nil when it can.
    static let missing: String? = {
        for path in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: path) {
            return "\(path) is not installed (deploy/install-deps.sh --test installs it)"
        }
        let selenium = try? Subprocess.run("python3", ["-c", "import selenium"], timeout: 30)
        return selenium?.status == 0 ? nil : "python3 cannot import selenium (deploy/install-deps.sh --test installs it)"
    }()

    @Test("a producer uploads and watches a job finish on its page and in the list, cannot see another's job or the agents; ops watch and drain an agent",
          .enabled(if: missing == nil, Comment(rawValue: missing ?? "")))
    func producerAndOps() throws {
        let dir = TestPaths.scratch("dashboard")
        defer { try? FileManager.default.removeItem(at: dir) }
        let serve = try ServeProcess(directory: dir)
        defer { serve.stop() }
        let agent = try serve.startAgent(name: "render-01")
        defer { agent.terminate() }

        func token(_ name: String, _ role: String) throws -> String {
            let out = try serve.cli(["token", "create", "--role", role, "--name", name])
            try #require(out.status == 0, "\(out.stderr)")
            return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let alice = try token("alice", "producer"), bob = try token("bob", "producer"), ops = try token("olga", "ops")
        let clip = try Fixture.lossyClip(seconds: 2)
        let other = try serve.request("POST", "/v1/jobs", token: bob,
                                      json: #"{"input":"\#(clip)","outputName":"bobs-cut.mp4","settings":{"codec":"libx264","preset":"ultrafast"}}"#)
        let otherJob = try #require(other.json()?["id"] as? String, "\(other.text)")

        var environment = ["GOPFARM_URL": serve.baseURL, "PRODUCER_TOKEN": alice, "OPS_TOKEN": ops, "OTHER_JOB": otherJob,
                           "CLIP": clip, "AGENT": "render-01"]
        if let shots = ProcessInfo.processInfo.environment["GOPFARM_DASHBOARD_SCREENSHOTS"] {
            environment["SCREENSHOTS"] = shots.hasPrefix("/") ? shots : TestPaths.packageRoot.appendingPathComponent(shots).path
        }
        let run = try Subprocess.run("python3", [Self.script], timeout: 240, environment: environment)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)\n\(serve.log)")
        print(run.stdout, terminator: "")

        // The drain reached the dispatcher, not just the page.
        let agents = try serve.request("GET", "/v1/agents", token: ops)
        let listed = (try? JSONSerialization.jsonObject(with: agents.body)) as? [[String: Any]] ?? []
        #expect(listed.first { $0["name"] as? String == "render-01" }?["state"] as? String == "draining", "\(agents.text)")
    }
}
