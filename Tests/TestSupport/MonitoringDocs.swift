import Foundation

/// The metric names the docs and deploy files promise, read from the files themselves so that
/// code, README, alert rules and dashboard cannot drift apart.
public enum MonitoringDocs {
    public static var alertRules: URL { TestPaths.packageRoot.appendingPathComponent("deploy/monitoring/alerts.yml") }
    public static var dashboard: URL { TestPaths.packageRoot.appendingPathComponent("deploy/monitoring/grafana-dashboard.json") }

    /// Every `gopfarm_…` name in the README's "Monitoring" section (up to the next heading of
    /// the same or a higher level).
    public static func readmeMetrics() throws -> Set<String> {
        let lines = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("#") && $0.hasSuffix(" Monitoring") }) else { return [] }
        let level = lines[start].prefix { $0 == "#" }.count
        let end = lines[(start + 1)...].firstIndex { line in
            line.hasPrefix("#") && line.prefix { $0 == "#" }.count <= level && line.dropFirst(line.prefix { $0 == "#" }.count).hasPrefix(" ")
        } ?? lines.endIndex
        return metricNames(in: lines[start..<end].joined(separator: "\n"))
    }

    /// Every `gopfarm_…` name in a text (PromQL, JSON, Markdown), without a histogram's
    /// `_bucket`/`_sum`/`_count` suffix.
    public static func metricNames(in text: String) -> Set<String> {
        let regex = /gopfarm_[a-z_]+/
        return Set(text.matches(of: regex).map { baseName(String($0.output)) })
    }

    public static func baseName(_ name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    /// The metric names in a Prometheus text exposition (sample lines, not comments).
    public static func exposedNames(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            baseName(String(line.prefix { $0 != "{" && $0 != " " }))
        })
    }

    /// The value of one sample line, e.g. `sample("gopfarm_jobs{state=\"queued\"}", in: text)`.
    public static func sample(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }
}
