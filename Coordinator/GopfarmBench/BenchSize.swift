/// One row of the table: the median of the runs at one cluster size, and how it compares with
/// the baseline (the smallest size measured, N₀).
///
/// speedup(N) = throughput(N) / throughput(N₀), throughput = work / makespan, work = output
/// frames. With the same input at every size (strong scaling) that is makespan(N₀) / makespan(N);
/// with an input that grows with N (weak scaling) it is the scaled speedup, N/N₀ when the
/// throughput per agent holds. efficiency = speedup × N₀ / N.
public struct BenchSize: Codable, Sendable, Equatable {
    public var agents: Int
    public var runs: Int
    /// Medians over the runs.
    public var makespan: Double
    public var speedup: Double
    public var efficiency: Double
    public var utilization: Double?
    public var split: Double
    public var encode: Double
    public var stitch: Double
    public var analysis: Double
    public var other: Double
    public var serial: Double
    public var bytesOnLinks: Int
    public var psnr: Double?
    public var lossless: Bool
    public var outputBytes: Int?
    public var outputFrames: Int?
    public var inputSeconds: Double
    /// The model's speedup at this size (nil until the baseline is known).
    public var amdahlSpeedup: Double?
    /// Position in the result's `runs` of the run closest to the median makespan: the one the
    /// timeline shows.
    public var representativeRun: Int

    /// Rows for every size in `runs`, ascending, relative to the smallest; and the model fitted
    /// on that smallest size.
    public static func summarize(_ runs: [BenchRun]) -> (sizes: [BenchSize], amdahl: AmdahlFit?) {
        let sizes = Set(runs.map(\.agents)).sorted()
        guard let baseline = sizes.first else { return ([], nil) }
        let all = runs
        func group(at n: Int) -> [(offset: Int, element: BenchRun)] { all.enumerated().filter { $0.element.agents == n } }
        let base = group(at: baseline).map(\.element)
        let baseMakespan = median(base.map(\.figures.makespan))
        let baseThroughput = throughput(base)
        let fit = AmdahlFit(baseline: baseline, serialSeconds: median(base.map(\.figures.serial)), makespan: baseMakespan)
        let rows = sizes.map { n -> BenchSize in
            let members = group(at: n)
            let list = members.map(\.element)
            let makespan = median(list.map(\.figures.makespan))
            let speedup = baseThroughput > 0 ? throughput(list) / baseThroughput : 0
            let representative = members.min { abs($0.element.figures.makespan - makespan) < abs($1.element.figures.makespan - makespan) }!.offset
            let utilizations = list.compactMap(\.figures.utilization)
            let psnrs = list.compactMap(\.job.psnr)
            let bytes = list.compactMap(\.job.outputBytes)
            let frames = list.compactMap(\.job.outputFrames)
            return BenchSize(
                agents: n, runs: list.count, makespan: makespan, speedup: speedup, efficiency: speedup * Double(baseline) / Double(n),
                utilization: utilizations.isEmpty ? nil : median(utilizations),
                split: median(list.map(\.figures.split)), encode: median(list.map(\.figures.encode)),
                stitch: median(list.map(\.figures.stitch)), analysis: median(list.map(\.figures.analysis)),
                other: median(list.map(\.figures.other)), serial: median(list.map(\.figures.serial)),
                bytesOnLinks: Int(median(list.map { Double($0.figures.bytesOnLinks) }).rounded()),
                psnr: psnrs.isEmpty ? nil : median(psnrs), lossless: !list.isEmpty && list.allSatisfy(\.job.lossless),
                outputBytes: bytes.isEmpty ? nil : Int(median(bytes.map(Double.init)).rounded()),
                outputFrames: frames.isEmpty ? nil : Int(median(frames.map(Double.init)).rounded()),
                inputSeconds: median(list.map(\.input.seconds)),
                amdahlSpeedup: fit?.speedup(agents: n), representativeRun: representative)
        }
        return (rows, fit)
    }

    /// Median work per median makespan: robust to one slow repetition.
    static func throughput(_ runs: [BenchRun]) -> Double {
        let makespan = median(runs.map(\.figures.makespan))
        return makespan > 0 ? median(runs.map(\.work)) / makespan : 0
    }

    /// The middle value (the mean of the two middle ones for an even count); 0 for none.
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}

private func median(_ values: [Double]) -> Double { BenchSize.median(values) }
