import Foundation
import GopfarmAPI
import GopfarmCoordinator

/// `GET /metrics` in Prometheus' text format, from the dispatcher's snapshot and the store.
struct MetricsText {
    let service: FarmService

    func render() async -> String {
        let snapshot = service.dispatcher.snapshot
        let c = snapshot.counters
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += "\(name)\(labels) \(value == value.rounded() ? String(Int(value)) : String(value))\n" }
        }
        let byState = (try? await service.store.countJobsByState()) ?? [:]
        metric("gopfarm_jobs", "gauge", "Jobs by state.", JobView.State.allCases.map { ("{state=\"\($0.rawValue)\"}", Double(byState[$0, default: 0])) })
        metric("gopfarm_queue_depth", "gauge", "Segments waiting for a free slot.", [("", Double(snapshot.queueDepth))])
        metric("gopfarm_agents", "gauge", "Connected agents.", [("", Double(snapshot.agents.count))])
        metric("gopfarm_agent_slots", "gauge", "Agent slots, busy and total.",
               [("{kind=\"busy\"}", Double(snapshot.agents.reduce(0) { $0 + $1.busy })),
                ("{kind=\"total\"}", Double(snapshot.agents.reduce(0) { $0 + $1.slots }))])
        metric("gopfarm_frames_per_second", "gauge", "Frames encoded per second over all agents (last 10 s).",
               [("", snapshot.agents.reduce(0) { $0 + $1.framesPerSecond })])
        metric("gopfarm_segments_per_second", "gauge", "Segments completed per second since the last scrape.", [("", service.segmentRate(completions: c.completions))])
        metric("gopfarm_segments_assigned_total", "counter", "Segment leases handed out.", [("", Double(c.assignments))])
        metric("gopfarm_segments_completed_total", "counter", "Segments encoded and accepted.", [("", Double(c.completions))])
        metric("gopfarm_frames_completed_total", "counter", "Frames in accepted segments.", [("", Double(c.framesCompleted))])
        metric("gopfarm_lease_expiries_total", "counter", "Leases that ran out.", [("", Double(c.leaseExpiries))])
        metric("gopfarm_retries_total", "counter", "Segments requeued (lease expiry, lost agent, failure).", [("", Double(c.requeues))])
        metric("gopfarm_segment_failures_total", "counter", "Segment attempts that failed.", [("", Double(c.failures))])
        metric("gopfarm_speculative_total", "counter", "Straggler segments re-run speculatively.", [("", Double(c.speculative))])
        metric("gopfarm_rejected_messages_total", "counter", "Agent messages rejected as malformed or invalid.", [("", Double(c.rejectedMessages))])
        metric("gopfarm_refused_agents_total", "counter", "Agents refused (protocol version).", [("", Double(c.refusedAgents))])
        return out
    }
}
