import Foundation
import GopfarmAPI
import GopfarmCoordinator
import GRDB
import GopfarmCommon

/// A job as stored: everything `JobView` shows except live progress, plus what a restart needs.
struct JobRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "jobs"
    var id: String
    var seq: Int
    var owner: String
    var priority: JobPriority
    var state: JobView.State
    var input: String
    var outputName: String
    var outputPath: String?
    var submission: String
    var submittedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var error: String?
    var warnings: String
    var segmentsTotal: Int
    var framesTotal: Int
    var segmentsDone: Int
    var framesDone: Int
    var outputFrames: Int?
    var outputBytes: Int?

    var decodedSubmission: JobSubmission? {
        try? JSONDecoder().decode(JobSubmission.self, from: Data(submission.utf8))
    }

    var decodedWarnings: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(warnings.utf8))) ?? []
    }
}
