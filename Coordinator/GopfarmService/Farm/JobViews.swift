import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// A job as the API shows it: the stored row, with live progress from the dispatcher's snapshot.
/// The reads are GRDB's async ones (HTTP handlers, the progress publisher).
struct JobViews: Sendable {
    let store: JobStore
    let dispatcher: Dispatcher
    /// What the jobs being planned are doing (reading their input, waiting for an agent).
    var planning = PlanningJobs()

    /// One job with everything its own page shows: the analysis summary and the timings.
    func load(_ row: JobRow) async throws -> JobView {
        let agents = try await store.agentsOfJobs([row.id])[row.id] ?? []
        var view = Self.make(row, agents: agents, live: dispatcher.progress(of: row.id),
                             probe: dispatcher.progress(of: PipelineService.probeID(row.id)), planning: planning.entry(row.id))
        view.analysis = try? await store.analysisSummary(row.id)  // the per-frame series is at /analysis
        view.timings = try? await store.timings(row.id)
        if view.ladder != nil, let output = try? await store.ladderOutput(row.id) {
            view.ladder?.renditions = output.renditions
            view.ladder?.packages = output.packages
            view.ladder?.segmentSeconds = output.segmentSeconds
            view.ladder?.files = output.files
            if output.files.contains("master.m3u8") { view.ladder?.hlsURL = JobLadder.fileURL(job: row.id, file: "master.m3u8") }
            if output.files.contains("manifest.mpd") { view.ladder?.dashURL = JobLadder.fileURL(job: row.id, file: "manifest.mpd") }
        }
        return view
    }

    /// Many jobs, for a list: the agents of all of them in one query, no analysis or timings.
    func list(_ rows: [JobRow]) async throws -> [JobView] {
        let agents = try await store.agentsOfJobs(rows.map(\.id))
        let snapshot = dispatcher.snapshot
        return rows.map { Self.make($0, agents: agents[$0.id] ?? [], live: snapshot.jobs[$0.id],
                                    probe: snapshot.jobs[PipelineService.probeID($0.id)], planning: planning.entry($0.id)) }
    }

    /// `probe`: the dispatcher's progress of the job's automatic-ladder probe, while it runs;
    /// `planning`: what the job does before it is planned.
    static func make(_ row: JobRow, agents: [String], live: DispatchProgress?, probe: DispatchProgress? = nil,
                     planning: PlanningJobs.Entry? = nil) -> JobView {
        let progress = JobView.Progress(segmentsDone: row.segmentsDone, segmentsTotal: row.segmentsTotal, framesDone: row.framesDone,
                                        framesTotal: row.framesTotal, fraction: 0, agents: 0, requeues: 0)
        let submission = row.decodedSubmission
        let view = JobView(
            id: row.id, owner: row.owner, state: row.state, priority: row.priority, input: Self.shownInput(row.input, upload: submission?.upload),
            outputName: row.outputName,
            codec: submission?.settings.codec ?? "?", submittedAt: row.submittedAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
            progress: progress, error: Self.shownError(row.error, input: row.input, upload: submission?.upload), warnings: row.decodedWarnings, outputFrames: row.outputFrames,
            outputBytes: row.outputBytes, agents: agents, maxAgents: submission?.maxAgents,
            ladder: submission?.settings.ladder.map(Self.requested))
        var shown = updated(view, live: live)
        shown.preset = submission?.preset
        shown = planned(shown, planning)
        if let probe, shown.state == .planning, shown.ladder != nil {
            shown.ladder?.probe = JobLadder.Probe(segmentsDone: probe.segmentsDone, segmentsTotal: probe.segmentsTotal, agents: probe.agents)
        }
        return shown
    }

    /// An uploaded input by the name it was uploaded under (`outside.mp4`), not where the
    /// coordinator keeps it (`/srv/gopfarm/uploads/af8a99e7e31f4383-outside.mp4`): the
    /// coordinator's file system is none of a producer's business. A path input as given.
    static func shownInput(_ input: String, upload: String?) -> String {
        guard let upload else { return input }
        let stored = (input as NSString).lastPathComponent
        return stored.hasPrefix(upload + "-") ? String(stored.dropFirst(upload.count + 1)) : stored
    }

    /// A failure as a producer reads it: the coordinator's path of an upload, which the
    /// libraries' sentences name (`/srv/gopfarm/uploads/af8a…-clip.mp4: not a video file…`),
    /// by the uploaded name, as `shownInput` gives it.
    static func shownError(_ error: String?, input: String, upload: String?) -> String? {
        guard let error, upload != nil else { return error }
        return error.replacingOccurrences(of: input, with: shownInput(input, upload: upload))
    }

    /// What a ladder job asked for; the renditions come once it is packaged (`load`).
    static func requested(_ ladder: Ladder) -> JobLadder {
        // As the CLI takes it, so it can be typed back (`--ladder 360p:800k,240p:400k:libx265`).
        JobLadder(requested: ladder.auto ? "auto" : ladder.rungs.map { $0.text(rate: JobLadder.rateText($0.bitrate)) }.joined(separator: ","),
                  packages: ladder.packages.map(\.rawValue), segmentSeconds: ladder.segmentSeconds)
    }

    /// The view with what its planning does now (both absent once it is planned).
    static func planned(_ view: JobView, _ planning: PlanningJobs.Entry?) -> JobView {
        var view = view
        let entry = view.state == .planning ? planning : nil
        view.waitingForAgents = entry?.waiting == true ? true : nil
        view.reading = entry?.reading
        return view
    }

    /// The view with the dispatcher's live counts (a job the dispatcher does not hold keeps its own).
    static func updated(_ view: JobView, live: DispatchProgress?) -> JobView {
        var view = view
        if let live {
            view.progress.segmentsDone = live.segmentsDone
            view.progress.framesDone = live.framesDone
            view.progress.agents = live.agents
            view.progress.requeues = live.requeues
        }
        if view.state == .done {
            view.progress.framesDone = view.progress.framesTotal
            view.progress.segmentsDone = view.progress.segmentsTotal
        }
        let p = view.progress
        view.progress.fraction = p.framesTotal > 0 ? min(1, Double(p.framesDone) / Double(p.framesTotal)) : 0
        return view
    }
}
