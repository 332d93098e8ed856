import Foundation
import GopfarmAPI
import GopfarmCommon

/// Which files of the data directory may go, decided from the store's rows and the files'
/// names and ages alone (no I/O): the `RetentionSweeper` gathers both and removes what this says.
struct RetentionPlan: Equatable {
    struct Job: Equatable {
        var id: String
        var state: JobView.State
        var finishedAt: Date?
        var input: String
        /// Why it failed, when it did.
        var error: String? = nil
        /// Spool files (payloads and per-segment analyses) its segments name.
        var spoolFiles: [String]
    }

    struct Upload: Equatable {
        var id: String
        var path: String
        var createdAt: Date
    }

    struct File: Equatable {
        var name: String
        var modified: Date
    }

    var spoolToRemove: [String] = []
    var uploadsToRemove: [Upload] = []
    /// Files in uploads/ that no upload row names (crash leftovers, `.partial` files).
    var strayUploads: [String] = []

    /// Files no row names go when modified before `orphansBefore`: the coordinator's start
    /// (leftovers of an earlier run) at the first sweep, `policy.orphanSeconds` ago after it
    /// (a file being written or about to be recorded is younger).
    init(jobs: [Job], uploads: [Upload], spool: [File], uploadFiles: [File], policy: RetentionPolicy, now: Date, orphansBefore: Date) {
        var needed: Set<String> = [], named: Set<String> = []
        for job in jobs {
            named.formUnion(job.spoolFiles)
            if Self.keepsSpool(job, policy: policy, now: now) { needed.formUnion(job.spoolFiles) }
        }
        spoolToRemove = spool.filter { file in
            !needed.contains(file.name) && (named.contains(file.name) || file.modified < orphansBefore)
        }.map(\.name)

        var users: [String: [Job]] = [:]
        for job in jobs { users[job.input, default: []].append(job) }
        uploadsToRemove = uploads.filter { upload in
            let using = users[upload.path] ?? []
            guard using.allSatisfy({ $0.state.isFinal }) else { return false }
            let lastUse = using.compactMap(\.finishedAt).max() ?? upload.createdAt
            return now.timeIntervalSince(max(lastUse, upload.createdAt)) >= policy.keepUploadsSeconds
        }
        let rowFiles = Set(uploads.map { ($0.path as NSString).lastPathComponent })
        strayUploads = uploadFiles.filter { !rowFiles.contains($0.name) && $0.modified < orphansBefore }.map(\.name)
    }

    /// A job's spool is needed while it runs (and, restarted, resumes from it), and kept a
    /// while after it failed or was cancelled; a done job's output holds what it had, and a job
    /// that failed for a full disk leaves the space to whoever frees it.
    static func keepsSpool(_ job: Job, policy: RetentionPolicy, now: Date) -> Bool {
        switch job.state {
        case .done: false
        case .failed where DiskFull.failed(job.error): false
        case .failed, .cancelled: now.timeIntervalSince(job.finishedAt ?? .distantPast) < policy.keepFailedSeconds
        default: true
        }
    }
}
