import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// The API's job operations: submit and cancel. Database access goes through GRDB's async API.
extension FarmService {
    public func submit(_ submission: JobSubmission, caller: Caller) async throws(APIError) -> JobView {
        let (input, defaultName) = try await resolveInput(submission, caller: caller)
        do { try submission.settings.validate() } catch { throw APIError(.unprocessable, error.description) }
        let seconds = submission.segmentSeconds ?? config.defaultSegmentSeconds
        guard seconds >= 0.04, seconds <= 3600 else { throw APIError(.unprocessable, "segmentSeconds must be between 0.04 and 3600") }
        if let limit = submission.maxAgents, !(1...10_000).contains(limit) {
            throw APIError(.unprocessable, "maxAgents must be between 1 and 10000")
        }
        let outputName = try Self.checkOutputName(submission.outputName ?? defaultName, codec: submission.settings.codec)
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
        startJob(row)
        return try await view(id, caller: caller)
    }

    public func cancel(_ id: String, caller: Caller) async throws(APIError) -> JobView {
        _ = try await visibleRow(id, caller: caller)
        let outcome: JobAdvance
        do { outcome = try await store.advance(id, { $0.cancel(by: caller.name) }) } catch {
            throw APIError(.unavailable, "cannot store the cancellation: \(error)")
        }
        switch outcome {
        case .refused(let why): throw APIError(.conflict, "job \(id) \(why)")
        case .ignored: throw APIError(.notFound, "no job \(id)")
        case .moved(_, let action): moved(id, action)
        }
        logger.info("job cancelled", metadata: ["job": "\(id)", "by": "\(caller.name)"])
        return try await view(id, caller: caller)
    }

    private func resolveInput(_ s: JobSubmission, caller: Caller) async throws(APIError) -> (String, String) {
        switch (s.input, s.upload) {
        case (let path?, nil):
            let real = try inputPolicy.check(path)
            return (real, Self.defaultOutputName(for: path))
        case (nil, let upload?):
            let found: (path: String, fileName: String)?
            do { found = try await store.upload(upload, owner: caller.name) } catch { throw APIError(.unavailable, "\(error)") }
            guard let found else { throw APIError(.notFound, "no upload \(upload.prefix(64)) of yours") }
            return (found.path, Self.defaultOutputName(for: found.fileName))
        default:
            throw APIError(.badRequest, "give exactly one of 'input' (a path on the coordinator) and 'upload' (an upload id)")
        }
    }

    static func defaultOutputName(for input: String) -> String {
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        return (base.isEmpty ? "output" : base) + ".mp4"
    }

    static func checkOutputName(_ name: String, codec: String) throws(APIError) -> String {
        guard !name.isEmpty, name.count <= 255, !name.contains("/"), !name.contains("\0"), name != ".", name != "..",
              !name.hasPrefix(".") else {
            throw APIError(.badRequest, "outputName must be a plain file name such as movie.mp4")
        }
        let ext = (name as NSString).pathExtension.lowercased()
        guard ["mp4", "m4v", "mov", "mkv", "webm"].contains(ext) else {
            throw APIError(.unprocessable, "cannot write '.\(ext)' files; use .mp4, .mov, .mkv or .webm")
        }
        if ext == "webm", !["libvpx-vp9", "libsvtav1"].contains(codec) {
            throw APIError(.unprocessable, "WebM holds VP9 or AV1 video; use libvpx-vp9 or libsvtav1 with a .webm output")
        }
        return name
    }
}
