import Foundation
import GopfarmCommon
import GRDB

/// The store's own failures as a sentence an operator can act on, for the few that need the
/// machine's attention rather than a bug report (a full disk stops every write).
public enum StoreFailure {
    /// nil for any other error.
    public static func sentence(_ error: any Error, dataDirectory: String) -> String? {
        guard let db = error as? DatabaseError else { return nil }
        switch db.resultCode {
        case .SQLITE_FULL:
            return "\(DiskFull.sentence) (\(dataDirectory)): its database cannot record anything; free space there and start again"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN:
            return "the coordinator cannot write its database in \(dataDirectory) (\(db.message ?? "\(db.resultCode)")): check the directory's permissions and free space"
        default:
            return nil
        }
    }
}
