import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// The API's job operations: submit and cancel. Database access goes through GRDB's async API.
extension FarmService {
    public func submit(_ submission: JobSubmission, caller: Caller) async throws(APIError) -> JobView {
        do { try submission.validate(defaultSegmentSeconds: config.defaultSegmentSeconds) } catch {
            throw APIError(.unprocessable, error.description)
        }
        for hook in submission.webhooks ?? [] {
            if let why = await config.webhookTargets.refusal(for: hook.url) { throw APIError(.unprocessable, why) }
        }
        try checkDiskBudget(what: "a new job (its output goes in the data directory)")
        let (input, defaultName) = try await inputPolicy.input(of: submission, caller: caller, store: store)
        try checkFreeSpace(forInput: input)
        let seconds = submission.segmentSeconds ?? config.defaultSegmentSeconds
        var outputName = submission.outputName ?? defaultName
        // A ladder writes a directory: `film.mp4` names `film/`.
        if submission.settings.ladder != nil { outputName = JobSubmission.ladderDirectoryName(outputName) }
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)).lowercased()
        var stored = submission
        stored.input = input
        stored.segmentSeconds = seconds
        let row = JobRow(
            id: id, seq: 0, owner: caller.name, priority: submission.priority ?? .normal, state: .queued, input: input,
            outputName: outputName, outputPath: nil, submission: JobStore.json(stored), submittedAt: Date(),
            startedAt: nil, finishedAt: nil, error: nil, warnings: "[]", segmentsTotal: 0, framesTotal: 0,
            segmentsDone: 0, framesDone: 0, outputFrames: nil, outputBytes: nil)
        do { try await store.insert(row) } catch { throw APIError(.unavailable, "cannot store the job: \(error)") }
        logger.info("job submitted", metadata: ["job": "\(id)", "owner": "\(caller.name)", "input": "\(input)"])
        pipeline.startJob(row)
        return try await reader.view(id, caller: caller)
    }

    public func cancel(_ id: String, caller: Caller) async throws(APIError) -> JobView {
        _ = try await reader.visibleRow(id, caller: caller)
        let outcome: JobAdvance
        do { outcome = try await store.advance(id, { $0.cancel(by: caller.name) }) } catch {
            throw APIError(.unavailable, "cannot store the cancellation: \(error)")
        }
        switch outcome {
        case .refused(let why): throw APIError(.conflict, "job \(id) \(why)")
        case .ignored: throw APIError(.notFound, "no job \(id)")
        case .moved(_, let action): pipeline.moved(id, action)
        }
        logger.info("job cancelled", metadata: ["job": "\(id)", "by": "\(caller.name)"])
        return try await reader.view(id, caller: caller)
    }
}
