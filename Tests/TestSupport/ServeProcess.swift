import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `gopfarm serve` process on loopback with its own data directory, plus what tests need
/// to talk to it: its HTTP base URL, agent endpoint, admin token, and a small HTTP client.
public final class ServeProcess: @unchecked Sendable {
    public let directory: URL
    public let dataDirectory: URL
    public private(set) var process: Process
    public private(set) var baseURL: String = ""
    public private(set) var agentEndpoint: String = ""
    public private(set) var publicKey: String?
    public private(set) var adminToken = ""
    let extraArguments: [String]
    private var runs = 0

    /// Plain TCP agents (tests that are not about CURVE).
    public static let insecure = ["--insecure"]

    /// Starts the coordinator on free ports and waits until it listens. `agentBind` is the
    /// agent endpoint's address (port 0: a free one); emulated hosts need one they can reach.
    public init(directory: URL, arguments: [String] = ["--insecure"], inputRoot: String? = nil,
                agentBind: String = "tcp://127.0.0.1:0") throws {
        self.directory = directory
        dataDirectory = directory.appendingPathComponent("data")
        extraArguments = arguments + ["--input-root", inputRoot ?? "/"]
        process = Process()
        try launch(http: "127.0.0.1:0", bind: agentBind)
        adminToken = try String(contentsOf: dataDirectory.appendingPathComponent("admin-token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
    public var allLogs: String {
        (0..<runs).map { (try? String(contentsOf: directory.appendingPathComponent("serve-\($0).log"), encoding: .utf8)) ?? "" }.joined(separator: "\n--- restart ---\n")
    }
    var logURL: URL { directory.appendingPathComponent("serve-\(runs - 1).log") }

    private func launch(http: String, bind: String) throws {
        let log = directory.appendingPathComponent("serve-\(runs).log")
        runs += 1
        process = try Subprocess.start(TestPaths.gopfarm, ["serve", "--http", http, "--bind", bind, "--data-dir", dataDirectory.path,
                                                           "--heartbeat-ms", "250", "--agent-timeout", "2", "--lease-seconds", "10"] + extraArguments,
                                       log: log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let url = Self.value(after: "HTTP API on ", in: text), let endpoint = Self.value(after: "agents connect to ", in: text) {
                baseURL = url
                agentEndpoint = endpoint
                publicKey = text.components(separatedBy: "coordinator public key ").dropFirst().last?
                    .split(separator: " ").first.map(String.init)
                return
            }
            if !process.isRunning { throw ServeFailure(description: "gopfarm serve exited: \(text)") }
            usleep(50_000)
        }
        throw ServeFailure(description: "gopfarm serve did not start listening")
    }

    static func value(after prefix: String, in text: String) -> String? {
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix(prefix) }) else { return nil }
        return line.dropFirst(prefix.count).split(separator: " ").first.map(String.init)
    }

    /// SIGKILL, then a new process on the same ports and data directory.
    public func killAndRestart() throws {
        killNow()
        try restart()
    }

    /// SIGKILL; `restart` brings it back.
    public func killNow() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A new process on the same ports and data directory.
    public func restart() throws {
        let port = baseURL.split(separator: ":").last.map(String.init) ?? "0"
        try launch(http: "127.0.0.1:\(port)", bind: agentEndpoint)
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Starts an agent process connected to this coordinator.
    public func startAgent(name: String, slots: Int = 1, threads: Int = 1, extra: [String] = ["--insecure"]) throws -> Process {
        try Subprocess.start(TestPaths.agent, agentArguments(name: name, slots: slots, threads: threads, extra: extra),
                             log: directory.appendingPathComponent("agent-\(name)-\(UUID().uuidString.prefix(4)).log"))
    }

    /// What the agents `startAgent` started under `name` have logged, in file order.
    public func agentLog(_ name: String) -> String {
        ((try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("agent-\(name)-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? String(contentsOf: $0, encoding: .utf8) }.joined()
    }

    /// The `gopfarm-agent` arguments `startAgent` uses, for agents started some other way
    /// (in an emulated host).
    public func agentArguments(name: String, slots: Int = 1, threads: Int = 1, extra: [String] = ["--insecure"]) -> [String] {
        ["--coordinator", agentEndpoint, "--name", name, "--slots", "\(slots)", "--threads", "\(threads)", "--heartbeat-ms", "250"] + extra
    }

    /// Runs the `gopfarm` CLI against this coordinator with `token`.
    public func cli(_ arguments: [String], token: String? = nil, timeout: Double = 300) throws -> Subprocess.Output {
        try Subprocess.run(TestPaths.gopfarm, arguments, timeout: timeout,
                           environment: ["GOPFARM_URL": baseURL, "GOPFARM_TOKEN": token ?? adminToken])
    }

    // MARK: - HTTP

    public struct HTTPResponse: Sendable {
        public var status: Int
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func json() -> [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        public var error: String? { json()?["error"] as? String }
    }

    public func request(_ method: String, _ path: String, token: String? = nil, body: Data? = nil,
                        headers: [String: String] = [:], timeout: Double = 30) throws -> HTTPResponse {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 5) == .success else { throw ServeFailure(description: "\(method) \(path) timed out") }
        let (data, status, error) = box.get()
        guard let status else { throw ServeFailure(description: "\(method) \(path) failed: \(error.map { "\($0)" } ?? "no response")") }
        return HTTPResponse(status: status, body: data ?? Data())
    }

    public func request(_ method: String, _ path: String, token: String?, json: String) throws -> HTTPResponse {
        try request(method, path, token: token, body: Data(json.utf8), headers: ["Content-Type": "application/json"])
    }

    /// `gopfarm submit INPUT -o OUTPUT ARGUMENTS --json` as the admin, without waiting; the job's id.
    public func submit(_ input: String, output: String, _ arguments: [String]) throws -> String {
        let out = try cli(["submit", input, "-o", output, "--json", "--quiet"] + arguments, token: adminToken)
        guard out.status == 0, let job = (try? JSONSerialization.jsonObject(with: Data(out.stdout.utf8))) as? [String: Any],
              let id = job["id"] as? String else {
            throw ServeFailure(description: "submit failed (\(out.status)): \(out.stderr)")
        }
        return id
    }

    /// The names of the agents `GET /v1/agents` lists (none when the request fails).
    public func connectedAgents() -> Set<String> {
        guard let r = try? request("GET", "/v1/agents", token: adminToken),
              let list = (try? JSONSerialization.jsonObject(with: r.body)) as? [[String: Any]] else { return [] }
        return Set(list.compactMap { $0["name"] as? String })
    }

    /// Polls `GET /v1/jobs/{id}` until the job is final; returns its JSON.
    public func waitForJob(_ id: String, timeout: Double = 300) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let r = try? request("GET", "/v1/jobs/\(id)", token: adminToken), let job = r.json(),
               let state = job["state"] as? String, ["done", "failed", "cancelled"].contains(state) {
                return job
            }
            usleep(200_000)
        }
        throw ServeFailure(description: "job \(id) did not finish in \(timeout) s")
    }

    /// SQLite query through the sqlite3 CLI (read-only view of the job store).
    public func query(_ sql: String) throws -> [[String]] {
        let out = try Subprocess.run("sqlite3", ["-readonly", "-separator", "|", dataDirectory.appendingPathComponent("gopfarm.sqlite").path, sql], timeout: 30)
        return out.stdout.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }
}

public struct ServeFailure: Error, CustomStringConvertible {
    public var description: String
}

private final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, Int?, Error?) = (nil, nil, nil)
    func set(_ d: Data?, _ s: Int?, _ e: Error?) { lock.withLock { value = (d, s, e) } }
    func get() -> (Data?, Int?, Error?) { lock.withLock { value } }
}
