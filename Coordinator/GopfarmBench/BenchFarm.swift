import Foundation
import GopfarmCoordinator
import GopfarmCommon

/// A farm the bench can measure: it takes one job at a time with at most N agents and answers
/// with what its job store recorded. Declared here, where the engine needs it; `gopfarm bench`
/// implements it over the HTTP API for every mode (local processes, emulated hosts, a cluster),
/// and tests can implement it with recorded jobs.
public protocol BenchFarm: Sendable {
    /// Runs `input` (a file on this machine) with `maxAgents = agents`, waits for the job, and
    /// returns its record; a failed or cancelled job throws `BenchError.jobFailed`.
    func run(input: BenchInput, agents: Int) async throws -> BenchJobRecord
}

/// One input a bench job runs on: the file, and how much of the original it is.
public struct BenchInput: Codable, Sendable, Equatable {
    /// A path on this machine (the farm submits it by path or uploads it).
    public var path: String
    /// Seconds of video in it, as probed.
    public var seconds: Double
    /// Its share of the original input (weak scaling cuts; 1 otherwise).
    public var share: Double

    public init(path: String, seconds: Double, share: Double = 1) {
        self.path = path
        self.seconds = seconds
        self.share = share
    }
}

/// A finished benchmark job as its job store recorded it (`GET /v1/jobs/{id}`).
public struct BenchJobRecord: Codable, Sendable, Equatable {
    public var id: String
    public var timings: JobTimings
    /// Frames and bytes of the output.
    public var outputFrames: Int?
    public var outputBytes: Int?
    /// Frame-weighted mean PSNR over all planes from the job's analysis (nil when not measured).
    public var psnr: Double?
    /// Every segment came back identical to the source (PSNR is infinite).
    public var lossless: Bool
    /// Agents that encoded its segments.
    public var agents: [String]
    /// Bytes the links carried during the job, from the emulated hosts' counters (nil elsewhere:
    /// the figure is then the sum of the segments' payloads).
    public var linkBytes: Int?

    public init(id: String, timings: JobTimings, outputFrames: Int? = nil, outputBytes: Int? = nil, psnr: Double? = nil,
                lossless: Bool = false, agents: [String] = [], linkBytes: Int? = nil) {
        self.id = id
        self.timings = timings
        self.outputFrames = outputFrames
        self.outputBytes = outputBytes
        self.psnr = psnr
        self.lossless = lossless
        self.agents = agents
        self.linkBytes = linkBytes
    }
}
