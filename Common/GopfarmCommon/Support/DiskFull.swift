import Foundation

/// How a full coordinator disk is said, in one place: every sentence about it opens with
/// `sentence`, and a job that failed for it is recognised by that (retention keeps no spool
/// of it for a post-mortem: the space is what the operator needs back).
public enum DiskFull {
    public static let sentence = "the coordinator's disk is full"

    /// "the coordinator's disk is full: no room for WHAT in DIRECTORY; free space there and run the job again".
    public static func jobError(noRoomFor what: String, in directory: String) -> String {
        "\(sentence): no room for \(what) in \(directory); free space there and run the job again"
    }

    /// Whether a job's error says its coordinator's disk was full.
    public static func failed(_ error: String?) -> Bool {
        error?.hasPrefix(sentence) ?? false
    }
}
