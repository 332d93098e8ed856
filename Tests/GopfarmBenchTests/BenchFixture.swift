import Foundation
import GopfarmBench
import GopfarmCommon
import GopfarmCoordinator

/// Recorded-looking jobs for the pure parts: timings built by hand, with round numbers.
enum BenchFixture {
    static let settings = EncodeSettings(codec: "libx264", crf: 23, preset: "medium")

    /// A job of `segments` equal segments of `perSegment` agent seconds on `agents` agents, one
    /// after another on each agent, with a 0.5 s probe + plan, 1 s stitch and 0.5 s analysis.
    static func timings(agents: Int, segments: Int = 4, perSegment: Double = 10) -> JobTimings {
        var attempts: [SegmentAttemptTiming] = []
        let start = 0.5
        for s in 0..<segments {
            let agent = s % agents, round = Double(s / agents)
            let assigned = start + round * perSegment
            attempts.append(SegmentAttemptTiming(segment: s, attempt: 1, agent: "agent-\(agent + 1)", speculative: false, outcome: "done",
                                                 assigned: assigned, ended: assigned + perSegment, extractSeconds: 0.01, sentBytes: 1_000_000,
                                                 returnedBytes: 500_000, decodeSeconds: 2, encodeSeconds: perSegment - 2.5, analysisSeconds: 0.5))
        }
        let rounds = Double((segments + agents - 1) / agents)
        return JobTimings(probeSeconds: 0.3, planSeconds: 0.2, dispatchStart: start, dispatchEnd: start + rounds * perSegment,
                          stitchSeconds: 1, analysisSeconds: 0.5, plannedSlots: agents, attempts: attempts)
    }

    static func record(agents: Int, id: String? = nil, timings: JobTimings? = nil, frames: Int = 1000) -> BenchJobRecord {
        BenchJobRecord(id: id ?? "job-\(agents)", timings: timings ?? Self.timings(agents: agents), outputFrames: frames, outputBytes: 2_000_000,
                       psnr: 41.5, agents: (1...agents).map { "agent-\($0)" })
    }

    static func run(agents: Int, round: Int = 1, timings: JobTimings? = nil, frames: Int = 1000, seconds: Double = 40) -> BenchRun {
        let job = record(agents: agents, id: "job-\(agents)-\(round)", timings: timings, frames: frames)
        return BenchRun(agents: agents, round: round, input: BenchInput(path: "/media/in.mp4", seconds: seconds),
                        job: job, figures: BenchFigures(timings: job.timings, agents: agents))
    }

    static func result(_ sizes: [Int] = [1, 2, 4]) -> BenchResult {
        BenchResult(mode: .local, input: "/media/<film>.mp4", inputSeconds: 40,
                    plan: BenchPlan(agentCounts: sizes, settings: settings, segmentSeconds: 10, threadsPerAgent: 1),
                    machineCores: 2, date: Date(timeIntervalSince1970: 1_800_000_000), runs: sizes.map { run(agents: $0) })
    }
}
