import Foundation
import Testing
import TestSupport

/// deploy/monitoring: the alert rules pass `promtool check rules` and their unit tests
/// (`promtool test rules`, Debian's prometheus package, installed by deploy/install-deps.sh
/// --test), and the Grafana dashboard is a dashboard Grafana can load whose every query names a
/// metric the README lists (MetricsTests holds that list to what `/metrics` serves).
@Suite("Monitoring files")
struct MonitoringFilesTests {
    static let promtool = "/usr/bin/promtool"

    @Test("promtool checks the alert rules and runs their unit tests")
    func alertRules() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool),
                     "promtool is missing: deploy/install-deps.sh --test installs Debian's prometheus package")
        let check = try Subprocess.run(Self.promtool, ["check", "rules", MonitoringDocs.alertRules.path], timeout: 60)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: 7 rules found"), "\(check.stdout)")
        let tests = MonitoringDocs.alertRules.deletingLastPathComponent().appendingPathComponent("alerts-test.yml")
        let run = try Subprocess.run(Self.promtool, ["test", "rules", tests.path], timeout: 60)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")

        let rules = try String(contentsOf: MonitoringDocs.alertRules, encoding: .utf8)
        for alert in ["GopfarmNoAgents", "GopfarmQueueStuck", "GopfarmSegmentFailureRateHigh", "GopfarmLeaseExpiries", "GopfarmDiskBudgetNearlyFull", "GopfarmDiskNearlyFull"] {
            #expect(rules.contains("alert: \(alert)\n"))
        }
        let documented = try MonitoringDocs.readmeMetrics()
        let used = MonitoringDocs.metricNames(in: rules)
        #expect(used.subtracting(documented).isEmpty, "the rules use metrics the README does not list: \(used.subtracting(documented).sorted())")
    }

    @Test("the Grafana dashboard loads: title, schema version, panels with a type, a place and queries of listed metrics")
    func grafanaDashboard() throws {
        let data = try Data(contentsOf: MonitoringDocs.dashboard)
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((dashboard["title"] as? String)?.isEmpty == false)
        #expect((dashboard["uid"] as? String)?.isEmpty == false)
        #expect((dashboard["schemaVersion"] as? Int ?? 0) >= 36)
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 10)
        let documented = try MonitoringDocs.readmeMetrics()
        let known: Set = ["stat", "gauge", "timeseries", "table", "bargauge", "text", "row"]
        var ids = Set<Int>(), queried = Set<String>()
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(known.contains(panel["type"] as? String ?? ""), "panel \(title) has no known type")
            if let id = panel["id"] as? Int { #expect(ids.insert(id).inserted, "panel id \(id) twice") } else { Issue.record("panel \(title) has no id") }
            let place = panel["gridPos"] as? [String: Int] ?? [:]
            #expect(["h", "w", "x", "y"].allSatisfy { place[$0] != nil }, "panel \(title) has no gridPos")
            #expect((place["x"] ?? 0) + (place["w"] ?? 0) <= 24, "panel \(title) is wider than the 24-column grid")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "panel \(title) has no queries")
            for target in targets {
                let expr = target["expr"] as? String ?? ""
                let names = MonitoringDocs.metricNames(in: expr)
                #expect(!names.isEmpty, "panel \(title): '\(expr)' names no gopfarm metric")
                #expect(names.subtracting(documented).isEmpty, "panel \(title) queries metrics the README does not list: \(names.subtracting(documented).sorted())")
                queried.formUnion(names)
            }
        }
        for needed in ["gopfarm_frames_per_second", "gopfarm_queue_depth", "gopfarm_agents", "gopfarm_segment_failures_total", "gopfarm_disk_used_bytes"] {
            #expect(queried.contains(needed), "no panel shows \(needed)")
        }
    }
}
