import Foundation
import GopfarmAPI

/// Retention from the API's side: deleting a finished job with its files, and the disk budget.
extension FarmService {
    var sweeper: RetentionSweeper {
        RetentionSweeper(config: config, store: store, disk: disk, logger: logger, startedAt: startedAt)
    }

    /// Removes a finished job's rows and files: output, thumbnails, the spool files no other
    /// job's segments name. Its upload goes with the next sweep once its keep period passed.
    public func deleteJob(_ id: String, caller: Caller) async throws(APIError) -> JobDeleted {
        let row = try await reader.visibleRow(id, caller: caller)
        guard row.state.isFinal else {
            throw APIError(.conflict, "job \(id) is \(row.state.rawValue); only finished jobs are deleted (cancel it first: gopfarm cancel \(id))")
        }
        let jobs: [RetentionPlan.Job]
        do {
            jobs = try await store.retentionJobs()
            guard try await store.deleteFinishedJob(id) else { throw APIError(.conflict, "job \(id) is not finished") }
        } catch let error as APIError { throw error } catch { throw APIError(.unavailable, "cannot delete the job: \(error)") }
        let bytes = sweeper.removeFiles(ofDeleted: id, jobs: jobs)
        await store.event(job: nil, kind: "job", "\(caller.name) deleted job \(id) (\(bytes) bytes)")
        logger.info("job deleted", metadata: ["job": "\(id)", "by": "\(caller.name)", "bytes": "\(bytes)"])
        progress.jobChanged(id)
        return JobDeleted(job: id, removedBytes: bytes)
    }

    /// Refuses (507) what would store more in a data directory at its budget. The meter is the
    /// last sweep's figure: before refusing, the directory is measured again (a job just deleted,
    /// a spool just removed), so a refusal always says what is there now.
    func checkDiskBudget(incoming: Int64 = 0, what: String) throws(APIError) {
        guard disk.refusal(incoming: incoming, what: what) != nil else { return }
        _ = disk.measure(config)
        if let why = disk.refusal(incoming: incoming, what: what) { throw APIError(.insufficientStorage, why) }
    }
}
