import Foundation

/// `simulate --chaos --json`: the seeds run and the ones that broke an invariant.
struct ChaosReport: Encodable {
    struct Failure: Encodable {
        var seed: UInt64
        var violation: String
        var replay: String
    }

    /// `--chaos --seed N --json`: one seed replayed.
    struct Seed: Encodable {
        var seed: UInt64
        var faults: Int
        var virtualSeconds: Double
        var jobs: [String]
        var violations: [String]
        var diagnosis: [String]
    }

    var firstSeed: UInt64
    var seeds: Int
    var seconds: Double
    var failed: [Failure]
}
