import ArgumentParser
import Foundation
import GopfarmAPI
import GopfarmClient
import GopfarmCommon
import GopfarmCoordinator
import GopfarmService

extension JobPriority: ExpressibleByArgument {}
extension JobFollower.Mode: ExpressibleByArgument {}

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a transcode job to the coordinator (gopfarm serve); optionally wait for it and fetch the output.",
        discussion: """
            Without --upload, INPUT is sent as an absolute path that the coordinator reads itself (shared storage); with --upload the file is streamed to the coordinator first.

            Without --wait, the job id alone is printed:
              id=$(gopfarm submit talk.mp4 -o talk.mp4)

            With --wait, progress is shown on stderr and the output is downloaded to OUTPUT when the job is done; Ctrl-C stops waiting but leaves the job running:
              gopfarm submit /media/talk.mov -o talk.mp4 --crf 23 --preset medium --wait

            A ladder job's output is a directory: master.m3u8, manifest.mpd and every track are downloaded into it (each file is also at GET /v1/jobs/ID/files/PATH):
              gopfarm submit film.mov -o film/ --ladder 720p:3M,360p:700k \\
                  --package hls --wait
            """)

    @Argument(help: "Input video file.")
    var input: String

    @Option(name: [.short, .long], help: "Output file: its name is the job's output name; with --wait it is written here. With --ladder, a directory.")
    var output: String

    @OptionGroup var encode: EncodeOptions

    @Option(parsing: .unconditional, help: "Target segment length in seconds (default: the coordinator's).")
    var segmentSeconds: Double?

    @Option(help: "Scheduling priority: low, normal or high.")
    var priority: JobPriority?

    @Option(help: ArgumentHelp("At most this many agents work on the job at once (default: all); the plan is cut for them.",
                               valueName: "n"))
    var maxAgents: Int?

    @Option(help: ArgumentHelp("Encode with this named preset (gopfarm presets list); encoding flags given override its fields. "
                               + "--preset NAME does the same when NAME is none of the encoder's own presets (medium, 8, good …). "
                               + "Without it and without encoding flags, your default preset applies when you have one.",
                               valueName: "name"))
    var usePreset: String?

    @Option(help: ArgumentHelp("Also POST this job's events to URL (repeatable); signed with GOPFARM_WEBHOOK_SECRET when set.",
                               valueName: "url"))
    var webhook: [String] = []

    @Flag(help: "Encode only: no scene, black/frozen, statistics or PSNR/SSIM records.")
    var noAnalysis = false

    @Flag(help: "Stream the input file to the coordinator instead of sending its path.")
    var upload = false

    @Flag(help: "Wait for the job, show progress, and download the output to OUTPUT.")
    var wait = false

    @Flag(help: "Print the job (the final one with --wait) as JSON on stdout.")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Check the job by the coordinator's rules and print it as JSON; submit nothing.")
    var dryRun = false

    /// How --wait follows the job: `events` (server-sent events, the default) or `polling`.
    @Option(help: .hidden)
    var follow: JobFollower.Mode?

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let state = WaitState()
        try await ClientRun.run(onInterrupt: { state.interrupted(output: output) }) { [self] in
            try await submit(state: state)
        }
    }

    /// Whether the caller may use a named preset `name` (theirs or the farm's); false when the
    /// coordinator cannot be asked.
    static func coordinatorHasPreset(_ name: String, client: ClientOptions) async -> Bool {
        guard let api = try? client.makeClient(), let presets: [PresetView] = try? await api.send("GET", "/v1/presets") else { return false }
        return presets.contains { $0.name == name }
    }

    private func submit(state: WaitState) async throws {
        // `--preset NAME`: the encoder's preset when it is one, else a named preset when the
        // coordinator has one by that name, else the encoder's own refusal (below, locally, the
        // sentence the API and transcode give).
        var encode = self.encode
        var usePreset = self.usePreset
        if usePreset == nil, let name = encode.preset, !EncodeSettings.isEncoderPreset(name, codec: encode.codec ?? "libx264"),
           await Self.coordinatorHasPreset(name, client: client) {
            usePreset = name
            encode.preset = nil
        }
        // The coordinator's own rules, so that nothing it would refuse is uploaded first (a
        // preset's settings are the coordinator's to merge and check): a value one refuses is a
        // usage error (exit 64 with the hint), as in transcode.
        var submission: JobSubmission
        do {
            submission = JobSubmission(outputName: (output as NSString).lastPathComponent, settings: try encode.settings(threads: 0),
                                       segmentSeconds: segmentSeconds, priority: priority, analysis: noAnalysis ? false : nil,
                                       maxAgents: maxAgents, preset: usePreset,
                                       webhooks: webhook.isEmpty ? nil : webhook.map {
                                           JobWebhook(url: $0, secret: ProcessInfo.processInfo.environment["GOPFARM_WEBHOOK_SECRET"])
                                       })
            if usePreset == nil { try submission.validate() } else if let hooks = submission.webhooks { try WebhookRules.check(hooks) }
        } catch let error as MediaError {
            throw ValidationError(error.description)
        }
        if dryRun {
            submission.input = upload ? nil : Self.absolute(input)
            if let preset = usePreset {
                // What goes: the flags given; the preset's settings are the coordinator's to merge.
                var body = try PresetSubmission(submission: submission, encode: encode).body(given: try encode.givenSettings())
                body.append(0x0A)
                Console.out(body)
                ClientFormat.note("the coordinator merges the preset '\(preset)' under these settings and checks the result when the job is submitted")
            } else {
                try ClientFormat.printJSON(submission)
                if !encode.anyGiven {
                    ClientFormat.note("no encoding flag given: if you have a default preset on the coordinator, it applies instead of these defaults")
                }
            }
            return
        }
        let api = try client.makeClient()
        if wait {
            try Self.checkWritable(output)
            // Where the output may go is a usage error (exit 64 with the hint), as in transcode.
            if submission.settings.ladder != nil {
                do { try JobRules.checkOutputDirectory(output) } catch { throw ValidationError("\(error)") }
            } else if let why = OutputPlace.refusal(output: output, input: upload ? input : nil) {
                throw ValidationError(why)
            }
        }

        if upload {
            submission.upload = try await uploadInput(api).upload
        } else {
            submission.input = Self.absolute(input)
        }
        let job = try await PresetSubmission(submission: submission, encode: encode).send(api)
        guard wait else {
            if json { try ClientFormat.printJSON(job) } else { CLIEnvironment.say(job.id) }
            return
        }
        state.submitted(job.id)
        if !quiet { ClientFormat.note("job \(job.id) submitted; waiting (Ctrl-C stops waiting, the job goes on)") }

        var line = ProgressLine()
        line.quiet = quiet
        let progress = ProgressState(line: line, started: Date())
        var follower = JobFollower(client: api, id: job.id)
        if let follow { follower.mode = follow }
        let final: JobView
        do {
            final = try await follower.follow(update: { view in
                progress.show(view)
            }, note: { note in
                guard !quiet else { return }
                progress.finishLine()
                switch note {
                case let .lost(error): ClientFormat.note("\(error); retrying for up to 60 s")
                case .back: ClientFormat.note("the coordinator answers again")
                }
            })
        } catch let error as ClientError where error.isTransient {
            // The coordinator stayed away; the job itself goes on there when it is back.
            progress.finishLine()
            throw ClientError.jobEnded("\(error); job \(job.id) goes on at the coordinator: gopfarm status \(job.id), then gopfarm fetch \(job.id) -o \(output)")
        }
        progress.finishLine()

        switch final.state {
        case .done:
            state.downloading()
            let bytes = try await ClientRun.retryingTransient(onRetry: { error in
                if !quiet { ClientFormat.note("\(error); retrying the download for up to 60 s") }
            }) { try await Self.download(final, api: api, to: output) }
            state.finished()
            if json { try ClientFormat.printJSON(final) } else { Self.printSummary(final, output: output, bytes: bytes) }
        case .failed:
            if json { try ClientFormat.printJSON(final) }
            throw ClientError.jobEnded(final.error ?? "job \(final.id) failed")
        default:
            if json { try ClientFormat.printJSON(final) }
            throw ClientError.jobEnded("job \(final.id) was cancelled")
        }
    }

    private func uploadInput(_ api: APIClient) async throws -> UploadCreated {
        let size = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? NSNumber)?.int64Value ?? 0
        let onTerminal = isatty(STDERR_FILENO) == 1 && !quiet
        if !quiet { ClientFormat.note("uploading \(input) (\(ByteSize.text(size)))") }
        let shown = UploadMeter(onTerminal: onTerminal)
        let created = try await api.upload(file: input, onSent: { sent, total in shown.show(sent: sent, total: total) })
        shown.finish()
        return created
    }

    static func absolute(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// Fails now, not after the job, when OUTPUT cannot be written.
    static func checkWritable(_ output: String) throws {
        let dir = (absolute(output) as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError.file("\(output): the directory \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw ClientError.file("\(output): the directory \(dir) is not writable")
        }
    }

    /// A finished job's output into `output`: the file, or a ladder's whole directory (the
    /// job's own view lists its files).
    static func download(_ job: JobView, api: APIClient, to output: String) async throws -> Int64 {
        guard job.ladder != nil else { return try await api.downloadOutput(of: job.id, to: output) }
        let full = job.ladder?.files == nil ? try await api.job(job.id) : job
        return try await api.downloadLadder(full, to: output)
    }

    static func printSummary(_ job: JobView, output: String, bytes: Int64) {
        var text = "\(output): "
        if let frames = job.outputFrames { text += "\(frames) frames, " }
        text += ByteSize.text(bytes)
        if let started = job.startedAt, let finished = job.finishedAt {
            text += " in \(ClientFormat.seconds(finished.timeIntervalSince(started)))"
        }
        if !job.agents.isEmpty { text += " on \(TranscodeCommand.count(job.agents.count, "agent")) (\(job.agents.joined(separator: ", ")))" }
        text += " — job \(job.id)\n"
        for line in StatusCommand.ladderLines(job.ladder, id: job.id) { text += "  \(line)\n" }
        for w in job.warnings { text += "warning: \(w)\n" }
        Console.out(text)
    }
}

/// What the submit command has reached, so an interruption can say what goes on without it.
/// @unchecked Sendable: every field is guarded by `lock` (the signal path reads it from another task).
private final class WaitState: @unchecked Sendable {
    private let lock = NSLock()
    private var id: String?
    private var phase = 0  // 0 before the job exists, 1 waiting, 2 downloading, 3 finished

    func submitted(_ id: String) { lock.withLock { self.id = id; phase = 1 } }
    func downloading() { lock.withLock { phase = 2 } }
    func finished() { lock.withLock { phase = 3 } }

    func interrupted(output: String) {
        let (id, phase) = lock.withLock { (self.id, self.phase) }
        guard let id else { return }
        if isatty(STDERR_FILENO) == 1 { Console.error("\n") }
        switch phase {
        case 1: ClientFormat.note("job \(id) goes on; cancel it with: gopfarm cancel \(id)")
        case 2: ClientFormat.note("job \(id) is done; fetch its output with: gopfarm fetch \(id) -o \(output)")
        default: break
        }
    }
}

/// The progress line, fed from the follower's callbacks.
/// @unchecked Sendable: every field is guarded by `lock`.
private final class ProgressState: @unchecked Sendable {
    private let lock = NSLock()
    private var line: ProgressLine
    private let started: Date
    private var lastState: JobView.State?
    private var wasWaiting = false
    private var wasReading = false
    private var drew = false

    init(line: ProgressLine, started: Date) {
        self.line = line
        self.started = started
    }

    func show(_ view: JobView) {
        lock.withLock {
            if line.quiet { return }
            // A job with no agent to run it says so once, on a terminal and in a pipe alike:
            // without a line, a --wait in a script looked stuck.
            let waiting = view.waitingForAgents == true
            defer { wasWaiting = waiting }
            if waiting, !wasWaiting {
                if drew { line.finish() }
                drew = false
                ClientFormat.note("job \(view.id) is \(JobView.waitingForAgentsText)")
            }
            defer { wasReading = view.reading != nil }
            if let reading = view.reading, view.progress.framesTotal == 0 {
                // Probing a large upload takes a while: the share read, as transcode shows it.
                line.reading(view.inputName, reading.step, reading.fraction, elapsed: Date().timeIntervalSince(started))
                drew = line.isTerminal
            } else if view.progress.framesTotal > 0 {
                // Frame rates count from when the job started running on the coordinator; a
                // clock skewed into the future falls back to our own.
                let elapsed = view.startedAt.map { Date().timeIntervalSince($0) }.flatMap { $0 > 0 ? $0 : nil }
                    ?? Date().timeIntervalSince(started)
                line.update(view.dispatchProgress, elapsed: elapsed)
                drew = true
            } else if (view.state != lastState || wasReading) && line.isTerminal {
                line.status("\(view.state.rawValue)…")
                drew = true
            }
            lastState = view.state
        }
    }

    func finishLine() {
        lock.withLock {
            if drew { line.finish() }
            drew = false
        }
    }
}

/// Upload progress on a terminal: a redrawn percentage.
/// @unchecked Sendable: every field is guarded by `lock`.
private final class UploadMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let onTerminal: Bool
    private var lastPercent = -1

    init(onTerminal: Bool) { self.onTerminal = onTerminal }

    func show(sent: Int64, total: Int64) {
        guard onTerminal, total > 0 else { return }
        let percent = Int(sent * 100 / total)
        let changed: Bool = lock.withLock {
            defer { lastPercent = percent }
            return percent != lastPercent
        }
        if changed {
            Console.error("\ruploading: \(percent)% of \(ByteSize.text(total))\u{1B}[K")
        }
    }

    func finish() {
        if onTerminal && lock.withLock({ lastPercent >= 0 }) { Console.error("\n") }
    }
}
