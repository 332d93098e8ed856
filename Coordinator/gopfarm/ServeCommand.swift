import ArgumentParser
import Foundation
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService
import Logging
import NIOCore

/// `gopfarm serve`: the persistent coordinator (job store, agent endpoint, HTTP API).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the coordinator as a service: job queue, agent endpoint and HTTP API.",
        discussion: """
            The first start writes an admin token to DATA_DIR/admin-token and the coordinator's CURVE key pair to DATA_DIR/coordinator.key. Agents need the public key (gopfarm keys show), and ops must allow each agent's key (gopfarm agents allow KEY). SIGTERM stops gracefully; unfinished jobs resume on the next start.
            Environment: GOPFARM_DATA_DIR, GOPFARM_HTTP, GOPFARM_BIND.

            Example:
              gopfarm serve --data-dir /var/lib/gopfarm --input-root /media
            """)

    @Option(help: "HTTP API address, HOST:PORT (default 127.0.0.1:8080).")
    var http: String?

    @Option(help: "Agent endpoint (ZeroMQ), default tcp://0.0.0.0:5555.")
    var bind: String?

    @Option(help: "Data directory: database, spool, uploads, outputs, keys (default ./gopfarm-data).")
    var dataDir: String?

    @Option(help: "Directory whose files may be submitted by path (repeatable; default: the current directory).")
    var inputRoot: [String] = []

    @Option(help: "Largest upload accepted, e.g. 20G or 500M.")
    var maxUpload: String = "64G"

    @Option(help: "Close an HTTP connection whose client sends nothing for this many seconds, mid-request or between requests (a response being streamed is not idle).")
    var httpIdleTimeout: Double = ServeConfig.defaultHTTPIdleSeconds

    @Option(help: "HTTP connections held at once; more are answered 503 and closed (default: all but an eighth of the open-file limit, which serve raises to its hard limit).")
    var httpMaxConnections: Int?

    @Option(parsing: .unconditional, help: "Default target segment length in seconds.")
    var segmentSeconds: Double = 10

    @Flag(help: "Plain TCP for agents, no CURVE authentication (trusted networks and tests only).")
    var insecure = false

    @Option(help: "Keep a failed or cancelled job's spool (segments, per-segment analysis) this long for a post-mortem, e.g. 7d or 12h; a done job's spool goes at the next sweep, within a minute.")
    var keepFailed: String = "7d"

    @Option(help: "Keep an upload this long after the last job using it ended, e.g. 1d or 30m.")
    var keepUploads: String = "1d"

    @Option(help: "Keep the webhook delivery log (ended deliveries and their tries) this long, e.g. 30d.")
    var keepDeliveries: String = "30d"

    @Option(help: "Refuse new uploads and jobs (507) once the data directory holds this much, e.g. 20G (default: no budget).")
    var diskBudget: String?

    @Option(help: .hidden) var heartbeatMs: Int = 1000
    @Option(help: .hidden) var agentTimeout: Double = 4
    @Option(help: .hidden) var leaseSeconds: Double = 30
    @Option(help: .hidden) var speculateAfter: Double = 10
    @Option(help: .hidden) var speculateFactor: Double = 2
    @Option(help: .hidden) var webhookRetryMs: Int = 1000

    @Flag(help: "Let webhooks go to loopback and private addresses (receivers on the farm's own network; never to the cloud's instance metadata service); refused by default so that producers cannot make the coordinator call inside it.")
    var webhookAllowPrivate = false

    @Flag(help: "Log one JSON object per line.")
    var jsonLogs = false

    @Option(help: "Least severe log lines shown: debug (adds a line per segment), info, warning or error.")
    var logLevel: LogLevelName = .info

    func run() async throws {
        // A service outlives whoever read its first lines: a closed stdout drops them.
        Console.closedOutput = .discard
        LibavLogging.quiet()
        let json = jsonLogs
        let level = logLevel.level
        LoggingSystem.bootstrap { label in
            var h = LineLogHandler(label: label, json: json)
            h.logLevel = level
            return h
        }
        let env = ProcessInfo.processInfo.environment
        let config: ServeConfig
        do { config = try makeConfig(env) } catch let error as ValidationError { throw error } catch {
            throw CLIEnvironment.fail(error)
        }
        let logger = Logger(label: "gopfarm.serve")
        do {
            try await FarmServer(config: config, logger: logger).run { CLIEnvironment.say($0) }
        } catch let error as IOError where [EADDRINUSE, EACCES, EADDRNOTAVAIL].contains(error.errnoCode) {
            let reason = String(cString: strerror(error.errnoCode))
            throw CLIEnvironment.fail(MediaError(.invalidOption, "cannot listen for HTTP on \(config.httpHost):\(config.httpPort): \(reason)"))
        } catch {
            if let sentence = StoreFailure.sentence(error, dataDirectory: config.dataDirectory.path) {
                throw CLIEnvironment.fail(MediaError(.invalidOption, sentence))
            }
            throw CLIEnvironment.fail(error)
        }
    }

    private func makeConfig(_ env: [String: String]) throws -> ServeConfig {
        let dataDir = dataDir ?? env["GOPFARM_DATA_DIR"] ?? "gopfarm-data"
        let roots = inputRoot.isEmpty ? [FileManager.default.currentDirectoryPath] : inputRoot
        for root in roots where !FileManager.default.fileExists(atPath: root) {
            throw ValidationError("--input-root \(root) does not exist")
        }
        var config = ServeConfig(dataDirectory: URL(fileURLWithPath: dataDir).standardizedFileURL,
                                 inputRoots: roots.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let address = http ?? env["GOPFARM_HTTP"] ?? "127.0.0.1:8080"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--http takes HOST:PORT, e.g. 127.0.0.1:8080, not '\(address)'")
        }
        config.httpHost = String(address[..<colon])
        config.httpPort = port
        config.bind = bind ?? env["GOPFARM_BIND"] ?? "tcp://0.0.0.0:5555"
        if let why = ZMQEndpoint.refusal(config.bind) { throw ValidationError(why) }
        config.insecure = insecure
        config.maxUploadBytes = try Self.parseSize(maxUpload)
        guard (0.1...86400).contains(httpIdleTimeout) else {
            throw ValidationError("--http-idle-timeout takes seconds between 0.1 and 86400, not \(JobRules.show(httpIdleTimeout))")
        }
        config.httpIdleSeconds = httpIdleTimeout
        if let limit = httpMaxConnections, !(1...1_000_000).contains(limit) {
            throw ValidationError("--http-max-connections takes 1 to 1000000 connections, not \(limit)")
        }
        config.httpMaxConnections = httpMaxConnections
        try RetentionOptions.apply(keepFailed: keepFailed, keepUploads: keepUploads, keepDeliveries: keepDeliveries,
                                   diskBudget: diskBudget, to: &config)
        do { try JobRules.checkSegmentSeconds(segmentSeconds) } catch { throw ValidationError(error.description) }
        config.defaultSegmentSeconds = segmentSeconds
        config.timing.heartbeatMilliseconds = heartbeatMs
        config.timing.agentTimeoutSeconds = agentTimeout
        config.timing.leaseSeconds = leaseSeconds
        config.timing.speculateAfterSeconds = speculateAfter
        config.timing.speculateFactor = speculateFactor
        config.webhookRetry.baseSeconds = Double(max(1, webhookRetryMs)) / 1000
        config.webhookTargets.allowPrivate = webhookAllowPrivate
        return config
    }

    static func parseSize(_ text: String) throws -> Int64 {
        let units: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        let upper = text.uppercased()
        let factor = upper.last.flatMap { units[$0] } ?? 1
        let digits = factor == 1 ? upper : String(upper.dropLast())
        guard let value = Double(digits), value > 0 else { throw ValidationError("--max-upload takes a size such as 20G or 500M, not '\(text)'") }
        return Int64(value * Double(factor))
    }
}
