import Foundation
import GopfarmAPI
@testable import GopfarmService
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceTestSupport
import Testing
import TestSupport

/// `/metrics` as swift-prometheus serves it, scraped from the router `gopfarm serve` builds, in
/// process: every name the README lists and the alert rules and Grafana dashboard query is there,
/// values follow the store, and two servers in one process keep their own registries.
@Suite("Metrics")
struct MetricsTests {
    static func scrape(_ client: any TestClientProtocol) async throws -> (text: String, type: String?) {
        let r = try await client.execute(uri: "/metrics", method: .get, headers: [:], body: nil)
        #expect(r.status == .ok)
        return (String(buffer: r.body), r.headers[.contentType])
    }

    static func submit(_ client: any TestClientProtocol, _ farm: TestFarmService, token: String) async throws {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json"
        let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: headers,
                                         body: ByteBuffer(string: #"{"input": "\#(farm.clip)", "settings": {"codec": "libx264"}}"#))
        #expect(r.status == .created, "\(String(buffer: r.body))")
    }

    @Test("HTTP answers are counted by status class, refusals included, and timed")
    func requestsAreCounted() async throws {
        let farm = try await TestFarmService("metrics-http")
        defer { farm.remove() }
        try await Application(router: APIRouter(service: farm.service).build()).test(.router) { client in
            let before = try await Self.scrape(client).text
            func count(_ code: String, _ text: String) -> Double { MonitoringDocs.sample(#"gopfarm_http_requests_total{code="\#(code)"}"#, in: text) ?? -1 }
            _ = try await client.execute(uri: "/v1/jobs", method: .get, headers: [:], body: nil)          // 401
            _ = try await client.execute(uri: "/no/such/route", method: .get, headers: [:], body: nil)    // 404
            _ = try await client.execute(uri: "/healthz", method: .get, headers: [:], body: nil)          // 200
            let after = try await Self.scrape(client).text
            #expect(count("4xx", after) - count("4xx", before) == 2, "\(after)")
            // The first scrape itself and /healthz; the second scrape is counted after it is written.
            #expect(count("2xx", after) - count("2xx", before) == 2, "\(after)")
            #expect((MonitoringDocs.sample("gopfarm_http_request_seconds_count", in: after) ?? 0) >= 4, "\(after)")
        }
    }

    @Test("every metric the README lists, the alert rules use and the dashboard queries is served")
    func documentedMetricsAreServed() async throws {
        let farm = try await TestFarmService("metrics-docs")
        defer { farm.remove() }
        let documented = try MonitoringDocs.readmeMetrics()
        #expect(documented.count >= 15, "the README's Monitoring section lists the metrics: \(documented.sorted())")
        let alerts = MonitoringDocs.metricNames(in: try String(contentsOf: MonitoringDocs.alertRules, encoding: .utf8))
        let panels = MonitoringDocs.metricNames(in: try String(contentsOf: MonitoringDocs.dashboard, encoding: .utf8))
        #expect(!alerts.isEmpty && !panels.isEmpty)
        try await Application(router: APIRouter(service: farm.service).build()).test(.router) { client in
            let (text, type) = try await Self.scrape(client)
            #expect(type?.hasPrefix("text/plain; version=0.0.4") == true)
            let served = MonitoringDocs.exposedNames(text)
            #expect(documented.subtracting(served).isEmpty, "README lists but /metrics lacks: \(documented.subtracting(served).sorted())")
            #expect(alerts.subtracting(served).isEmpty, "alert rules use but /metrics lacks: \(alerts.subtracting(served).sorted())")
            #expect(panels.subtracting(served).isEmpty, "the dashboard queries but /metrics lacks: \(panels.subtracting(served).sorted())")
            #expect(served.subtracting(documented).isEmpty, "/metrics serves but the README does not list: \(served.subtracting(documented).sorted())")
            #expect(text.contains("# TYPE gopfarm_segments_completed_total counter"))
            // Every family has its HELP line, right before its TYPE line.
            let lines = text.split(separator: "\n")
            for (i, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
                let name = line.split(separator: " ")[2]
                #expect(i > 0 && lines[i - 1].hasPrefix("# HELP \(name) ") && lines[i - 1].count > "# HELP \(name) ".count + 5, "\(name) has no help")
            }
            #expect(text.contains("# TYPE gopfarm_segment_seconds histogram"))
            #expect(text.contains(#"gopfarm_segment_seconds_bucket{le="600.0"}"#) || text.contains(#"gopfarm_segment_seconds_bucket{le="600"}"#), "\(text)")
        }
    }

    @Test("values follow the store and the data directory; two servers in one process count apart")
    func valuesFollowTheFarm() async throws {
        let one = try await TestFarmService("metrics-one"), two = try await TestFarmService("metrics-two")
        defer { one.remove(); two.remove() }
        let producer = try await one.service.store.createToken(name: "alice", role: .producer)
        try await Application(router: APIRouter(service: one.service).build()).test(.router) { client in
            var text = try await Self.scrape(client).text
            #expect(MonitoringDocs.sample(#"gopfarm_jobs{state="queued"}"#, in: text) == 0, "\(text)")
            try await Self.submit(client, one, token: producer)
            try await Self.submit(client, one, token: producer)
            text = try await Self.scrape(client).text
            let waiting = (MonitoringDocs.sample(#"gopfarm_jobs{state="queued"}"#, in: text) ?? 0)
                + (MonitoringDocs.sample(#"gopfarm_jobs{state="planning"}"#, in: text) ?? 0)
            #expect(waiting == 2, "\(text)")
            #expect(MonitoringDocs.sample("gopfarm_agents", in: text) == 0)
            #expect(MonitoringDocs.sample("gopfarm_segments_completed_total", in: text) == 0)
            // The database alone is tens of kilobytes.
            #expect((MonitoringDocs.sample("gopfarm_disk_used_bytes", in: text) ?? 0) > 10_000, "\(text)")
        }
        try await Application(router: APIRouter(service: two.service).build()).test(.router) { client in
            let text = try await Self.scrape(client).text
            #expect(MonitoringDocs.sample(#"gopfarm_jobs{state="queued"}"#, in: text) == 0, "\(text)")
        }
    }

    @Test("the disk budget and the data directory's use, as the alert on the budget reads them")
    func diskBudget() async throws {
        let dir = TestPaths.scratch("metrics-budget")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ServeConfig(dataDirectory: dir.appendingPathComponent("data"), inputRoots: [dir.path])
        config.bind = "tcp://127.0.0.1:0"
        config.insecure = true
        config.retention.diskBudgetBytes = 1 << 30
        let service = try FarmService(config: config, curve: nil, logger: Logger(label: "metrics-budget"))
        try await Application(router: APIRouter(service: service).build()).test(.router) { client in
            let text = try await Self.scrape(client).text
            #expect(MonitoringDocs.sample("gopfarm_disk_budget_bytes", in: text) == Double(1 << 30), "\(text)")
            let used = try #require(MonitoringDocs.sample("gopfarm_disk_used_bytes", in: text))
            #expect(used > 0 && used == Double(service.disk.usage?.totalBytes ?? -1), "\(text)")
            // The file system's free space and size, as the alert on a nearly full disk reads them.
            let free = try #require(MonitoringDocs.sample("gopfarm_disk_free_bytes", in: text), "\(text)")
            let size = try #require(MonitoringDocs.sample("gopfarm_disk_size_bytes", in: text), "\(text)")
            #expect(free > 0 && free <= size, "\(text)")
        }
    }

    @Test("the segment-time histogram counts each ended attempt once, also under concurrent scrapes")
    func segmentSecondsOnce() async throws {
        let farm = try await TestFarmService("metrics-histogram")
        defer { farm.remove() }
        @Sendable func attemptEnded(_ index: Int, seconds: Double, outcome: String = "done", attempt: Int = 1) throws {
            let ended = Date()
            try farm.service.store.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO attempts (jobId, idx, attempt, run, agent, speculative, assignedAt, outcome, endedAt)
                    VALUES ('job', ?, ?, 1, 'render-01', 0, ?, ?, ?)
                    """, arguments: [index, attempt, ended.addingTimeInterval(-seconds), outcome, ended])
            }
        }
        try await Application(router: APIRouter(service: farm.service).build()).test(.router) { client in
            // The copy a restarted coordinator adopted, superseded when the first answered, and
            // one lost with its agent: no answer, not counted (a QA pass saw each adopted
            // segment twice).
            try attemptEnded(0, seconds: 2, outcome: "superseded", attempt: 2)
            try attemptEnded(1, seconds: 9, outcome: "requeued", attempt: 2)
            try attemptEnded(0, seconds: 3)
            try attemptEnded(1, seconds: 45)
            try attemptEnded(2, seconds: 700)
            async let a = Self.scrape(client).text
            async let b = Self.scrape(client).text
            _ = try await (a, b)
            var text = try await Self.scrape(client).text
            #expect(MonitoringDocs.sample("gopfarm_segment_seconds_count", in: text) == 3, "\(text)")
            #expect(MonitoringDocs.sample(#"gopfarm_segment_seconds_bucket{le="5.0"}"#, in: text) == 1, "\(text)")
            #expect(MonitoringDocs.sample(#"gopfarm_segment_seconds_bucket{le="60.0"}"#, in: text) == 2, "\(text)")
            #expect(MonitoringDocs.sample(#"gopfarm_segment_seconds_bucket{le="+Inf"}"#, in: text) == 3, "\(text)")
            let sum = try #require(MonitoringDocs.sample("gopfarm_segment_seconds_sum", in: text))
            #expect(abs(sum - 748) < 0.1, "\(text)")
            usleep(5_000)
            try attemptEnded(3, seconds: 1.5)
            text = try await Self.scrape(client).text
            #expect(MonitoringDocs.sample("gopfarm_segment_seconds_count", in: text) == 4, "\(text)")
        }
    }
}
