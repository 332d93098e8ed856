import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
import NIOCore

/// Builds each page's model from the farm: what a caller may see and nothing more (producers
/// their own jobs, through the same `FarmService` reads the API uses).
struct DashboardPages {
    let service: FarmService
    /// Rows on one page of the jobs list.
    static let pageSize = 50
    /// Attempts listed under a job's timeline.
    static let attemptRows = 500

    func jobs(_ s: DashboardSession, page: Int, now: Date = Date()) async throws(APIError) -> DashboardModels.Jobs {
        let owner = s.caller.role >= .ops ? nil : s.caller.name
        let offset = max(0, page - 1) * Self.pageSize
        let rows: [JobRow], total: Int, counts: [JobView.State: Int], views: [JobView]
        do {
            (rows, total) = try await service.store.jobPage(owner: owner, offset: offset, limit: Self.pageSize)
            counts = try await service.store.stateCounts(owner: owner)
            views = try await service.views.list(rows)
        } catch { throw APIError(.unavailable, "cannot read jobs: \(error)") }
        let last = offset + views.count
        return DashboardModels.Jobs(
            layout: .init(title: "Jobs", section: "jobs", session: s),
            counts: JobView.State.allCases.compactMap { st in counts[st].map { .init(state: st.rawValue, count: DashboardFormat.count($0)) } },
            jobs: views.map { v in
                var row = DashboardRows.job(v, now: now)
                row.showOwner = owner == nil
                return row
            },
            empty: total == 0, showOwner: owner == nil,
            range: views.isEmpty ? "no jobs on this page" : "\(DashboardFormat.count(offset + 1))–\(DashboardFormat.count(last)) of \(DashboardFormat.count(total))",
            newer: page > 1 ? (page == 2 ? "/" : "/?page=\(page - 1)") : nil,
            older: last < total ? "/?page=\(page + 1)" : nil)
    }

    func job(_ s: DashboardSession, id: String, now: Date = Date()) async throws(APIError) -> DashboardModels.Job {
        let v = try await service.reader.view(id, caller: s.caller)
        let row = DashboardRows.job(v, now: now)
        let attempts = DashboardRows.attempts(v.timings, limit: Self.attemptRows)
        let total = v.timings?.attempts.count ?? 0
        let sheet = service.config.thumbnails.appendingPathComponent(v.id).appendingPathComponent(ReportFiles.contactSheetName)
        return DashboardModels.Job(
            layout: .init(title: v.outputName, section: "jobs", session: s), id: v.id, name: v.outputName, state: v.state.rawValue,
            live: !v.state.isFinal, percent: row.percent, percentValue: row.percentValue,
            progressText: DashboardRows.progressText(v), eta: row.eta, facts: DashboardRows.facts(v, now: now),
            error: v.error, warnings: v.warnings, hasWarnings: !v.warnings.isEmpty, done: v.state == .done,
            hasReport: v.state == .done && v.analysis != nil,
            hasContactSheet: v.state == .done && FileManager.default.fileExists(atPath: sheet.path),
            timeline: DashboardRows.timeline(v.timings, elapsed: (v.finishedAt ?? now).timeIntervalSince(v.submittedAt)),
            attempts: attempts, hasAttempts: !attempts.isEmpty,
            moreAttempts: total > attempts.count ? "and \(total - attempts.count) more (all in GET /v1/jobs/\(v.id))" : nil,
            ladder: v.ladder.map { DashboardRows.ladder($0, job: v.id) })
    }

    func agents(_ s: DashboardSession, now: Date = Date()) async throws(APIError) -> DashboardModels.Agents {
        let live = agentsLive(s)
        let completions: [(at: Date, frames: Int)]
        do { completions = try await service.store.segmentCompletions(since: now.addingTimeInterval(-3600)) } catch {
            throw APIError(.unavailable, "cannot read the segments: \(error)")
        }
        let throughput = ClusterThroughput(completions: completions, now: now)
        return DashboardModels.Agents(
            layout: .init(title: "Agents", section: "agents", session: s), canManage: s.caller.role >= .ops,
            agents: live.agents.map { a in
                var row = a
                row.csrf = s.csrf
                return row
            }, empty: live.agents.isEmpty, summary: live.summary, diskNote: live.diskNote, throughput: throughput.svg(),
            throughputNote: "\(DashboardFormat.count(throughput.segments)) segments, \(DashboardFormat.count(throughput.frames)) frames in the last hour; "
                + String(format: "peak %.1f frames/s in one minute.", throughput.peak))
    }

    /// What changes on the agents page from one second to the next, from memory only (the
    /// dispatcher's snapshot, the disk meter): the page's first drawing and its live refresh.
    func agentsLive(_ s: DashboardSession, now: Date = Date()) -> DashboardModels.AgentsLive {
        let snapshot = service.dispatcher.snapshot
        let agents = snapshot.agents.sorted { $0.name < $1.name }
        var summary: [DashboardModels.Fact] = [
            .init(label: "Agents", value: DashboardFormat.count(agents.count)),
            .init(label: "Slots busy", value: "\(agents.reduce(0) { $0 + $1.busy }) of \(agents.reduce(0) { $0 + $1.slots })"),
            .init(label: "Draining", value: "\(agents.filter { $0.state == .draining }.count)"),
            .init(label: "Encoding now", value: String(format: "%.0f fps", agents.reduce(0) { $0 + $1.framesPerSecond })),
            .init(label: "Segments queued", value: DashboardFormat.count(snapshot.queueDepth)),
        ]
        // One card for the disk: the data directory's use (against its budget), the file system's free space.
        let use = service.disk.usage, fs = DiskMeter.fileSystem(of: service.config.dataDirectory)
        if use != nil || fs != nil {
            var label = "Data directory"
            if let budget = use?.budgetBytes { label += " (budget \(ByteSize.text(Int64(budget))))" }
            if let fs { label += " · \(ByteSize.text(fs.free)) free" }
            summary.append(.init(label: label, value: use.map { ByteSize.text(Int64($0.totalBytes)) } ?? "–"))
        }
        return DashboardModels.AgentsLive(
            agents: agents.map { a in
                var row = DashboardRows.agent(a)
                row.canManage = s.caller.role >= .ops
                return row
            }, summary: summary, diskNote: use.map { DashboardRows.diskParts($0, now: now) })
    }

    func submit(_ s: DashboardSession, form: FormBody? = nil, error: String? = nil) async -> DashboardModels.Submit {
        let named = (try? await service.store.presets(for: s.caller.name))?.filter { !$0.shadowed } ?? []
        let chosen = form.map { $0.text("namedPreset") } ?? named.first(where: \.isDefault)?.name
        let codec = form?.text("codec") ?? "libx264"
        let preset = form?.text("preset") ?? ""
        let priority = form?.text("priority") ?? JobPriority.normal.rawValue
        return DashboardModels.Submit(
            layout: .init(title: "New job", section: "submit", session: s), error: error,
            codecs: EncodeSettings.supportedCodecs.map { .init(value: $0, label: $0, selected: $0 == codec) },
            presets: [.init(value: "", label: "encoder default", selected: preset.isEmpty)]
                + EncodeSettings.presetChoices(codec: codec).map { .init(value: $0, label: $0, selected: $0 == preset) },
            codecChoices: Self.codecChoices,
            namedPresets: named.map { p in
                .init(value: p.name, label: "\(p.name) (\(p.scope == .farm ? "farm" : "yours"): \(DashboardRows.settings(p.settings)))",
                      selected: p.name == chosen)
            },
            hasNamedPresets: !named.isEmpty,
            priorities: JobPriority.allCases.map { .init(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == priority) },
            path: form?.text("path") ?? "", outputName: form?.text("outputName") ?? "", crf: form?.text("crf") ?? "",
            fromPath: form?.text("source") == "path", maxUpload: DashboardFormat.binaryBytes(service.config.maxUploadBytes),
            maxUploadBytes: String(service.config.maxUploadBytes), ladder: form?.text("ladder") ?? "")
    }

    /// Each codec's presets and CRF range, for the form's script to offer only what that codec
    /// takes when the codec changes (`{"libx264": {"presets": […], "crf": [0, 51]}, …}`).
    static let codecChoices: String = {
        var all: [String: Any] = [:]
        for codec in EncodeSettings.supportedCodecs {
            var c: [String: Any] = ["presets": EncodeSettings.presetChoices(codec: codec)]
            if let r = JobRules.crfRange(codec: codec) { c["crf"] = [r.lowerBound, r.upperBound] }
            all[codec] = c
        }
        let data = (try? JSONSerialization.data(withJSONObject: all, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }()

    /// The job a submit form describes, as the JSON body `POST /v1/jobs` takes: the same
    /// `PresetResolver` and `StrictJSON` then apply, so a form and the API follow one rule. With
    /// a named preset chosen, its settings apply whole (the encoding fields are ignored).
    static func submissionBody(_ form: FormBody) throws(APIError) -> ByteBuffer {
        var object: [String: Any] = [:]
        let byPath = form.text("source") == "path"
        if byPath {
            guard let path = form.text("path") else { throw APIError(.unprocessable, "give the path of the input on the coordinator") }
            object["input"] = path
        } else {
            guard let upload = form.text("upload") else { throw APIError(.unprocessable, "choose a file to upload") }
            object["upload"] = upload
        }
        if let name = form.text("outputName") { object["outputName"] = name }
        if let p = form.text("priority") { object["priority"] = p }
        if let preset = form.text("namedPreset") {
            object["preset"] = preset
            // A ladder goes over the preset's settings, as `gopfarm submit --use-preset … --ladder …` does.
            if let ladder = form.text("ladder") { object["settings"] = ["ladder": ladder] }
        } else {
            var settings: [String: Any] = ["codec": form.text("codec") ?? "libx264"]
            if let crf = form.text("crf") {
                guard let v = Double(crf) else { throw APIError(.unprocessable, "the CRF must be a number") }
                settings["crf"] = v
            }
            if let p = form.text("preset") { settings["preset"] = p }
            if let ladder = form.text("ladder") { settings["ladder"] = ladder }
            object["settings"] = settings
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { throw APIError(.badRequest, "the form cannot be read") }
        return ByteBuffer(bytes: data)
    }
}
