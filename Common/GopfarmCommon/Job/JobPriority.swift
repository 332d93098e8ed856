/// A job's rank in the queue: higher priorities get free slots first. Shared by the dispatcher,
/// the API and its client.
public enum JobPriority: String, Codable, Sendable, CaseIterable, Comparable {
    case low, normal, high

    var rank: Int { switch self { case .low: 0; case .normal: 1; case .high: 2 } }
    public static func < (a: JobPriority, b: JobPriority) -> Bool { a.rank < b.rank }
}
