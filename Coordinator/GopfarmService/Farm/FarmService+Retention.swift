import Foundation
import GopfarmAPI
import GopfarmCommon

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
        await audit("job", "\(caller.name) deleted job \(id) (\(bytes) bytes)")
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

    /// Refuses (507) a job whose input could not even be cut into segments in the space left:
    /// the split stores a copy of the input's packets in the spool before any agent starts, and
    /// the output needs room after that. A lower bound, said with its figures, so a job that
    /// cannot fit fails at once instead of at its stitch.
    func checkFreeSpace(forInput input: String) throws(APIError) {
        guard let inputBytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int).map(Int64.init),
              let free = DiskMeter.fileSystem(of: config.dataDirectory)?.free else { return }
        let needed = inputBytes + Health.minimumFreeBytes
        guard free < needed else { return }
        throw APIError(.insufficientStorage, "the coordinator's data directory has \(ByteSize.text(free)) free, and a job on this \(ByteSize.text(inputBytes)) input needs at least \(ByteSize.text(needed)) there (its segments are cut there before its output is written); free space there or delete finished jobs (gopfarm jobs delete ID)")
    }
}
