import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import Prometheus
import Synchronization

/// The coordinator's metrics: swift-prometheus instruments on a registry of this server's own
/// (no global `MetricsSystem.bootstrap`, so one process can run several servers, as the
/// in-process tests do), each with its `# HELP` line (`FarmMetricNames`). Each scrape brings them
/// up to date from the dispatcher's snapshot and the store, then the registry writes Prometheus'
/// text format.
public final class FarmMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let jobs: [JobView.State: Prometheus.Gauge]
    private let queueDepth, agents, agentsDraining, busySlots, totalSlots, framesPerSecond, segmentsPerSecond: Prometheus.Gauge
    private let diskUsed, diskBudget, diskFree, diskSize: Prometheus.Gauge
    private let counters: [(@Sendable (DispatchCounters) -> Int, Prometheus.Counter)]
    private let segmentSeconds: DurationHistogram
    /// HTTP answers by status class (2xx … 5xx), and the time to each answer's head.
    private let requests: [Prometheus.Counter]
    private let requestSeconds: DurationHistogram
    /// What the counters showed at the previous scrape (the dispatcher keeps totals; Prometheus
    /// counters take increments) and the newest attempt end the histogram has seen.
    private let last: Mutex<(counters: DispatchCounters, attemptsEndedAfter: Date)>
    /// When the previous scrape was, and the completions it saw: the segment rate between two.
    private let lastScrape = Mutex<(Double, Int)>((0, 0))

    /// Seconds from a segment's lease to its agent's answer.
    static let segmentBuckets: [Duration] = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600].map { .seconds($0) }
    static let requestBuckets: [Duration] = [1, 5, 10, 25, 50, 100, 250, 1000].map { .milliseconds($0) }

    public init() {
        let registry = self.registry
        func described(_ name: String, _ help: String? = nil) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, helpText: help ?? FarmMetricNames.help[name] ?? "")
        }
        func gauge(_ name: String, _ labels: [(String, String)] = []) -> Prometheus.Gauge {
            registry.makeGauge(descriptor: described(name), labels: labels)
        }
        jobs = Dictionary(uniqueKeysWithValues: JobView.State.allCases.map { ($0, gauge(FarmMetricNames.jobs, [("state", $0.rawValue)])) })
        queueDepth = gauge(FarmMetricNames.queueDepth)
        agents = gauge(FarmMetricNames.agents)
        agentsDraining = gauge(FarmMetricNames.agentsDraining)
        busySlots = gauge(FarmMetricNames.agentSlots, [("kind", "busy")])
        totalSlots = gauge(FarmMetricNames.agentSlots, [("kind", "total")])
        framesPerSecond = gauge(FarmMetricNames.framesPerSecond)
        segmentsPerSecond = gauge(FarmMetricNames.segmentsPerSecond)
        diskUsed = gauge(FarmMetricNames.diskUsedBytes)
        diskBudget = gauge(FarmMetricNames.diskBudgetBytes)
        diskFree = gauge(FarmMetricNames.diskFreeBytes)
        diskSize = gauge(FarmMetricNames.diskSizeBytes)
        counters = FarmMetricNames.counters.map { ($0.value, registry.makeCounter(descriptor: described($0.name, $0.help), labels: [])) }
        segmentSeconds = registry.makeDurationHistogram(descriptor: described(FarmMetricNames.segmentSeconds), labels: [], buckets: Self.segmentBuckets)
        requests = (2...5).map { registry.makeCounter(descriptor: described(FarmMetricNames.httpRequests), labels: [("code", "\($0)xx")]) }
        requestSeconds = registry.makeDurationHistogram(descriptor: described(FarmMetricNames.httpRequestSeconds), labels: [], buckets: Self.requestBuckets)
        // The store keeps times to the millisecond and the cursor compares with `>`: an attempt
        // that ends in the millisecond the service starts must still count, so start one earlier.
        let started = (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000 - 0.001
        last = Mutex((DispatchCounters(), Date(timeIntervalSince1970: started)))
    }

    /// One HTTP answer: its status and how long its head took (a stream's body goes on after).
    func recordRequest(status: Int, seconds: Double) {
        requests[min(max(status / 100, 2), 5) - 2].increment()
        requestSeconds.record(.seconds(seconds))
    }

    /// Brings every instrument up to date and returns the text a scrape gets.
    func render(_ service: FarmService) async -> String {
        let snapshot = service.dispatcher.snapshot
        let byState = (try? await service.store.countJobsByState()) ?? [:]
        for (state, gauge) in jobs { gauge.set(Double(byState[state, default: 0])) }
        queueDepth.set(Double(snapshot.queueDepth))
        agents.set(Double(snapshot.agents.count))
        agentsDraining.set(Double(snapshot.agents.filter { $0.state == .draining }.count))
        busySlots.set(Double(snapshot.agents.reduce(0) { $0 + $1.busy }))
        totalSlots.set(Double(snapshot.agents.reduce(0) { $0 + $1.slots }))
        framesPerSecond.set(Double(snapshot.agents.reduce(0) { $0 + $1.framesPerSecond }))
        segmentsPerSecond.set(Double(segmentRate(completions: snapshot.counters.completions)))
        // The retention sweep measures the data directory; before its first sweep, measure here.
        let disk = service.disk.usage ?? service.disk.measure(service.config)
        diskUsed.set(Double(disk.totalBytes))
        diskBudget.set(Double(service.disk.budget ?? 0))
        if let fs = DiskMeter.fileSystem(of: service.config.dataDirectory) {
            diskFree.set(Double(fs.free))
            diskSize.set(Double(fs.size))
        }

        let (previous, after) = last.withLock { last in
            defer { last.counters = snapshot.counters }
            return (last.counters, last.attemptsEndedAfter)
        }
        for (value, counter) in counters where value(snapshot.counters) > value(previous) {
            counter.increment(by: Int64(value(snapshot.counters) - value(previous)))
        }
        if let ended = try? await service.store.attemptSeconds(endedAfter: after), !ended.isEmpty {
            // Two scrapes at once (a pair of Prometheus servers) read the same attempts: the
            // first to get here records them, the other only what ended after those.
            let fresh = last.withLock { last in
                let fresh = ended.filter { $0.endedAt > last.attemptsEndedAfter }
                if let newest = fresh.last?.endedAt { last.attemptsEndedAfter = newest }
                return fresh
            }
            for attempt in fresh { segmentSeconds.record(.seconds(attempt.seconds)) }
        }
        return registry.emitToString()
    }

    /// Segments per second since the previous call (a scrape).
    func segmentRate(completions: Int) -> Double {
        let now = MonotonicClock.now()
        return lastScrape.withLock { last in
            defer { last = (now, completions) }
            guard last.0 > 0, now - last.0 > 0.01 else { return 0 }
            return (Double(completions - last.1) / (now - last.0) * 10).rounded() / 10
        }
    }
}
