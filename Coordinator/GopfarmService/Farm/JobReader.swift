import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator

/// What the API reads of jobs: views, outputs, analyses, reports, thumbnails; a caller sees
/// only what its role allows (another producer's job does not exist, as far as it can tell).
/// The read side of `FarmService`: it changes nothing. Database access goes through GRDB's
/// async API.
public struct JobReader: Sendable {
    let store: JobStore
    let views: JobViews
    /// Where each job's scene thumbnails are (`THUMBNAILS/ID/`).
    let thumbnails: URL

    public func view(_ id: String, caller: Caller) async throws(APIError) -> JobView {
        let row = try await visibleRow(id, caller: caller)
        do { return try await views.load(row) } catch { throw APIError(.unavailable, "cannot read the job: \(error)") }
    }

    /// The caller's jobs (every job for ops), newest first: `state` all, active or finished;
    /// at most `limit` (1 to 1000); with `before`, only jobs submitted before that one.
    public func list(caller: Caller, state: String? = nil, limit: Int? = nil, before: String? = nil) async throws(APIError) -> [JobView] {
        var filter = JobListFilter()
        if let state {
            guard let states = JobListFilter.States(rawValue: state) else {
                throw APIError(.badRequest, "state takes all, active or finished, not '\(JobRules.quote(String(state.prefix(40))))'")
            }
            filter.states = states
        }
        let limit = limit ?? 1000
        guard (1...1000).contains(limit) else { throw APIError(.badRequest, "limit takes 1 to 1000 jobs, not \(limit)") }
        let owner = caller.role >= .ops ? nil : caller.name
        do {
            if let before {
                // Another producer's job is as unknown here as everywhere.
                guard let row = try await store.job(before), owner == nil || row.owner == owner, let seq = try await store.seq(of: before) else {
                    throw APIError(.notFound, "no job \(before)")
                }
                filter.beforeSeq = seq
            }
            return try await views.list(try await store.jobs(owner: owner, limit: limit, filter: filter))
        } catch let error as APIError { throw error } catch { throw APIError(.unavailable, "cannot read jobs: \(error)") }
    }

    /// The finished output's path, for download.
    public func outputPath(_ id: String, caller: Caller) async throws(APIError) -> (path: String, name: String) {
        let row = try await visibleRow(id, caller: caller)
        guard row.state == .done, let path = row.outputPath else { throw APIError(.conflict, row.state.noOutput(job: id)) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw APIError(.conflict, "job \(id) wrote a ladder (a directory); its files are at GET \(JobLadder.fileURL(job: id, file: "master.m3u8")) and beside it (gopfarm fetch downloads them all)")
        }
        return (path, row.outputName)
    }

    /// One file of a finished ladder job's output directory (`master.m3u8`,
    /// `video-720p/seg-00001.m4s`): a relative path of plain names, resolved inside the
    /// directory without following a link out of it.
    public func outputFile(_ id: String, path segments: [String], caller: Caller) async throws(APIError) -> (path: String, size: Int) {
        let row = try await visibleRow(id, caller: caller)
        guard row.state == .done, let root = row.outputPath else {
            throw APIError(.conflict, row.state.noOutput(job: id))
        }
        let relative = try LadderFilePath.check(segments)
        guard let file = LadderFilePath.resolve(relative, in: root) else {
            throw APIError(.notFound, "job \(id) has no file \(relative.prefix(200))")
        }
        return file
    }

    /// A finished job's HTML report.
    public func report(_ id: String, caller: Caller) async throws(APIError) -> String {
        let analysis = try await analysis(id, caller: caller)
        let row = try await visibleRow(id, caller: caller)
        return ReportFiles.html(analysis, title: "\(row.outputName) (job \(id))", thumbnails: thumbnails.appendingPathComponent(id))
    }

    /// The whole analysis of a finished job (with the per-frame series).
    public func analysis(_ id: String, caller: Caller) async throws(APIError) -> JobAnalysis {
        let document = try await analysisDocument(id, caller: caller)
        do { return try JSONDecoder().decode(JobAnalysis.self, from: document) } catch {
            throw APIError(.unavailable, "cannot read the analysis: \(error)")
        }
    }

    /// The same as its stored JSON, served as it is: decoding and encoding again an analysis of
    /// hours of frames cost a request some 100 MB of the coordinator's memory.
    public func analysisDocument(_ id: String, caller: Caller) async throws(APIError) -> Data {
        let row = try await visibleRow(id, caller: caller)
        let found: Data?
        do { found = try await store.analysisDocument(id) } catch { throw APIError(.unavailable, "cannot read the analysis: \(error)") }
        guard let found else {
            throw APIError(row.state == .done ? .notFound : .conflict,
                           row.state == .done ? "job \(id) was not analyzed" : "job \(id) is \(row.state.rawValue); its analysis exists once it is done")
        }
        return found
    }

    /// A scene thumbnail of a finished job (`scene-NNNN.jpg`).
    public func thumbnail(_ id: String, name: String, caller: Caller) async throws(APIError) -> Data {
        _ = try await visibleRow(id, caller: caller)
        guard name == ReportFiles.contactSheetName || name.range(of: #"^scene-[0-9]{4,6}\.jpg$"#, options: .regularExpression) != nil,
              let data = try? Data(contentsOf: thumbnails.appendingPathComponent(id).appendingPathComponent(name))
        else { throw APIError(.notFound, "job \(id) has no thumbnail \(name.prefix(64))") }
        return data
    }

    func visibleRow(_ id: String, caller: Caller) async throws(APIError) -> JobRow {
        guard id.count <= 64, id.allSatisfy({ $0.isLetter || $0.isNumber }) else { throw APIError(.notFound, "no job \(id.prefix(64))") }
        let row: JobRow?
        do { row = try await store.job(id) } catch { throw APIError(.unavailable, "cannot read the job: \(error)") }
        // Another producer's job does not exist, as far as this caller can tell.
        guard let row, caller.role >= .ops || row.owner == caller.name else { throw APIError(.notFound, "no job \(id)") }
        return row
    }
}
