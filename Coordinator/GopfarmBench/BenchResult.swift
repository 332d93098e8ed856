import Foundation
import GopfarmCommon

/// Everything a bench measured: what `DIR/bench.json` and `--json` hold, and what the CSV, the
/// table and the HTML page are made from.
public struct BenchResult: Codable, Sendable {
    public var gopfarmVersion: String
    public var date: Date
    public var mode: BenchMode
    /// What the figures mean for this mode (`BenchMode.caption`).
    public var caption: String
    /// The input as given, and its length in seconds.
    public var input: String
    public var inputSeconds: Double
    public var plan: BenchPlan
    /// The emulated hosts' size and link, when the agents ran on them.
    public var hosts: BenchHosts?
    /// Cores of the machine the bench ran on (for local and emulated runs).
    public var machineCores: Int?
    /// The size speedups are relative to: the smallest measured.
    public var baseline: Int?
    public var amdahl: AmdahlFit?
    public var amdahlFormula: String
    public var sizes: [BenchSize]
    public var runs: [BenchRun]
    /// Things a reader of the figures should know (a missing measurement, a refused option).
    public var notes: [String]
    /// The simulator's makespans for the measured sizes and twice and four times the largest,
    /// from the baseline run's costs (`BenchPrediction`; strong scaling, when the input is readable).
    public var prediction: BenchPrediction?

    public init(mode: BenchMode, input: String, inputSeconds: Double, plan: BenchPlan, hosts: BenchHosts? = nil,
                machineCores: Int? = nil, date: Date = Date(), runs: [BenchRun] = [], notes: [String] = []) {
        gopfarmVersion = GopfarmVersion.string
        self.date = date
        self.mode = mode
        caption = mode.caption
        self.input = input
        self.inputSeconds = inputSeconds
        self.plan = plan
        self.hosts = hosts
        self.machineCores = machineCores
        amdahlFormula = AmdahlFit.formula
        sizes = []
        self.runs = []
        self.notes = notes
        for run in runs { add(run) }
    }

    /// Adds a finished job and recomputes the rows.
    public mutating func add(_ run: BenchRun) {
        runs.append(run)
        let summary = BenchSize.summarize(runs)
        sizes = summary.sizes
        amdahl = summary.amdahl
        baseline = sizes.first?.agents
    }

    /// The JSON of `bench.json`: sorted keys, ISO-8601 dates.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    public static func decode(_ data: Data) throws -> BenchResult {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(BenchResult.self, from: data)
    }
}

/// The emulated hosts of a bench: each agent's CPU cap and link.
public struct BenchHosts: Codable, Sendable, Equatable {
    /// CPUs per host (cgroup quota), e.g. 0.2.
    public var cpus: Double
    /// The link's rate as given (`1gbit`), and in bits per second.
    public var link: String
    public var linkBitsPerSecond: Int?
    /// What the kernel could not emulate (netem's delay and loss), in one line each.
    public var limitations: [String]

    public init(cpus: Double, link: String, linkBitsPerSecond: Int? = nil, limitations: [String] = []) {
        self.cpus = cpus
        self.link = link
        self.linkBitsPerSecond = linkBitsPerSecond
        self.limitations = limitations
    }
}
