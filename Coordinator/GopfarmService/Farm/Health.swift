import Foundation
import GopfarmCommon

/// What `GET /healthz` answers: `ok`, or `failing` with the problems that stop this coordinator
/// from doing its work: its database refuses a write, or its data directory's disk is full. A load
/// balancer or a supervisor acts on the status (200 or 503); a person reads the sentences.
struct Health: Encodable, Sendable {
    var status: String
    var problems: [String]?

    /// Under this many free bytes the data directory counts as full: no segment, output or
    /// upload of any size fits (the `GopfarmDiskNearlyFull` alert warns long before, at 5 %).
    static let minimumFreeBytes: Int64 = 8 << 20

    var ok: Bool { problems == nil }

    /// The verdict on what was measured: the database write's error (nil: it wrote) and the
    /// free bytes of the data directory's file system (nil: it could not be asked).
    static func judge(databaseWrite: (any Error)?, freeBytes: Int64?, dataDirectory: String) -> Health {
        var problems: [String] = []
        if let error = databaseWrite {
            problems.append(StoreFailure.sentence(error, dataDirectory: dataDirectory)
                            ?? "the coordinator cannot write its database in \(dataDirectory) (\(error))")
        }
        if let free = freeBytes, free < minimumFreeBytes, !problems.contains(where: { DiskFull.failed($0) }) {
            problems.append("\(DiskFull.sentence): \(free) bytes free for \(dataDirectory); free space there")
        }
        return problems.isEmpty ? Health(status: "ok") : Health(status: "failing", problems: problems)
    }
}

extension FarmService {
    /// Writes one row of the database (a no-op update of this run's row) and reads the data
    /// directory's free space: the two things every job needs.
    func health() async -> Health {
        var failure: (any Error)?
        do { try await store.probeWrite() } catch { failure = error }
        return Health.judge(databaseWrite: failure, freeBytes: DiskMeter.fileSystem(of: config.dataDirectory)?.free,
                            dataDirectory: config.dataDirectory.path)
    }
}
