import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// Turns the farm's values into what the templates show: pure functions of their inputs.
enum DashboardRows {
    static func job(_ v: JobView, now: Date) -> DashboardModels.JobRow {
        let fraction = v.state == .done ? 1 : v.progress.fraction
        let value = (fraction * 1000).rounded(.down) / 10
        let eta = v.state.isFinal ? nil : DashboardFormat.eta(started: v.startedAt, fraction: fraction, now: now)
        return DashboardModels.JobRow(
            id: v.id, name: v.outputName, owner: v.owner, state: v.state.rawValue, live: !v.state.isFinal,
            percent: "\(percentText(value))%", percentValue: percentText(value),
            segments: v.progress.segmentsTotal > 0 ? "\(v.progress.segmentsDone)/\(v.progress.segmentsTotal)" : "–",
            agents: v.state.isFinal ? "\(v.agents.count)" : "\(v.progress.agents)",
            eta: eta.map(DashboardFormat.duration) ?? "–",
            submitted: DashboardFormat.ago(v.submittedAt, now: now), submittedISO: DashboardFormat.iso(v.submittedAt))
    }

    static func percentText(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    /// The job page's line under its bar (the page's script writes the same from the job's stream).
    static func progressText(_ v: JobView) -> String {
        if let r = v.reading {
            let doing = r.step.doing("the input")
            return doing.prefix(1).uppercased() + doing.dropFirst() + "… \(Int(r.fraction * 100))%"
        }
        if v.waitingForAgents == true { return "Waiting for an agent that takes work" }
        let p = v.progress
        return "\(p.segmentsDone) of \(p.segmentsTotal) segments, \(p.framesDone) of \(p.framesTotal) frames, \(p.agents) agent\(p.agents == 1 ? "" : "s") working"
    }

    static func facts(_ v: JobView, now: Date) -> [DashboardModels.Fact] {
        var out: [DashboardModels.Fact] = [
            .init(label: "Job", value: v.id), .init(label: "Owner", value: v.owner), .init(label: "Input", value: v.input),
            .init(label: "Codec", value: v.codec), .init(label: "Priority", value: v.priority.rawValue),
            .init(label: "Submitted", value: DashboardFormat.iso(v.submittedAt)),
        ]
        if let p = v.preset { out.insert(.init(label: "Preset", value: p), at: 4) }
        if let s = v.startedAt { out.append(.init(label: "Started", value: DashboardFormat.iso(s))) }
        if let f = v.finishedAt {
            out.append(.init(label: "Finished", value: DashboardFormat.iso(f)))
            out.append(.init(label: "Took", value: DashboardFormat.duration(f.timeIntervalSince(v.submittedAt))))
        } else if v.startedAt != nil {
            out.append(.init(label: "Running for", value: DashboardFormat.duration(now.timeIntervalSince(v.submittedAt))))
        }
        if let frames = v.outputFrames { out.append(.init(label: "Output frames", value: DashboardFormat.count(frames))) }
        if let bytes = v.outputBytes { out.append(.init(label: "Output size", value: ByteSize.text(Int64(bytes)))) }
        if !v.agents.isEmpty { out.append(.init(label: "Agents", value: v.agents.joined(separator: ", "))) }
        if let m = v.maxAgents { out.append(.init(label: "At most", value: "\(m) agent\(m == 1 ? "" : "s")")) }
        return out
    }

    /// The job's attempts as a Gantt chart, one row per agent: each attempt's work (the agent's
    /// reported seconds, up to its result) over a light bar for the time it waited on the agent
    /// since its lease (prefetched, or in transfer); an attempt still running ends now.
    static func timeline(_ timings: JobTimings?, elapsed: Double) -> String? {
        guard let attempts = timings?.attempts, !attempts.isEmpty else { return nil }
        var waits: [TimelineChart.Bar] = [], work: [TimelineChart.Bar] = []
        for a in attempts {
            let end = a.ended ?? max(a.assigned, elapsed)
            let workStart = a.agentSeconds.map { min(end, max(a.assigned, end - $0)) } ?? a.assigned
            let cls: String? = switch a.outcome {
            case "done": nil
            case nil: "bar running"
            case let other?: "bar \(other)"
            }
            var title = "segment \(a.segment), attempt \(a.attempt) on \(a.agent): \(a.outcome ?? "running"); leased at "
                + String(format: "%.1f s, ended at %.1f s", a.assigned, end)
            if let busy = a.agentSeconds { title += String(format: "; the agent worked %.2f s", busy) }
            if workStart - a.assigned > 0.01 {
                waits.append(TimelineChart.Bar(index: a.segment, agent: a.agent, start: a.assigned, end: workStart, cls: "bar wait",
                                               title: title, label: ""))
            }
            work.append(TimelineChart.Bar(index: a.segment, agent: a.agent, start: workStart, end: end, cls: cls, title: title))
        }
        var chart = TimelineChart(bars: waits + work)
        chart.xTitle = "since the job was submitted"
        return chart.svg()
    }

    static func attempts(_ timings: JobTimings?, limit: Int) -> [DashboardModels.Attempt] {
        (timings?.attempts ?? []).prefix(limit).map { a in
            DashboardModels.Attempt(segment: a.segment, attempt: a.attempt, agent: a.agent, outcome: a.outcome ?? "running",
                                    start: String(format: "%.1f s", a.assigned),
                                    took: a.ended.map { DashboardFormat.duration($0 - a.assigned) } ?? "–")
        }
    }

    static func agent(_ a: AgentStatus) -> DashboardModels.Agent {
        DashboardModels.Agent(
            name: a.name, state: a.state.rawValue, busy: a.busy, slots: a.slots,
            slotPercent: a.slots > 0 ? "\(a.busy * 100 / a.slots)" : "0",
            fps: String(format: "%.1f", a.framesPerSecond), segments: DashboardFormat.count(a.segmentsDone),
            heartbeat: a.lastHeartbeatSecondsAgo < 1 ? "now" : "\(DashboardFormat.duration(a.lastHeartbeatSecondsAgo)) ago",
            connected: DashboardFormat.duration(a.connectedSeconds), version: a.version, draining: a.state == .draining,
            path: a.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? a.name)
    }

    /// `libx264 crf 23 medium`: a preset's settings in one line.
    static func settings(_ e: EncodeSettings) -> String {
        var parts = [e.codec]
        if let crf = e.crf { parts.append("crf \(crf == crf.rounded() ? String(Int(crf)) : String(crf))") }
        if let b = e.bitrate { parts.append(JobLadder.bitRate(b)) }
        if let p = e.preset { parts.append(p) }
        if let s = e.scale { parts.append("\(s)") }
        return parts.joined(separator: " ")
    }

    /// `Data directory: spool 1.2 GB · outputs 30 GB · …, measured 3 min ago.`
    static func diskParts(_ u: DiskUsage, now: Date) -> String {
        let parts = [("outputs", u.outputsBytes), ("spool", u.spoolBytes), ("uploads", u.uploadsBytes), ("database", u.databaseBytes),
                     ("thumbnails", u.thumbnailsBytes)]
        return "Data directory: " + parts.map { "\($0) \(ByteSize.text(Int64($1)))" }.joined(separator: " · ")
            + ", measured \(DashboardFormat.ago(u.measuredAt, now: now))."
    }
}
