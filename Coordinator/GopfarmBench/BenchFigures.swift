import GopfarmCoordinator
import GopfarmCommon

/// The figures of one benchmark job, all derived from the timings its job store recorded: a
/// pure function of `JobTimings`, so the table, the CSV and the plots agree and tests need no farm.
///
/// Phases, in seconds (moments count from the job's submission):
/// - `makespan`: submission → done, taken as the last segment's acceptance (`dispatchEnd`) plus the
///   stitch and the analysis merge that follow it (the job view's dates are whole seconds);
/// - `split`: probe + plan + every attempt's extraction on the coordinator. Extraction happens
///   during dispatch, one segment at a time as agents ask, so the time bar counts it here and
///   leaves it out of `encode`;
/// - `encode`: the dispatch (first assignment to last acceptance) less the extraction;
/// - `stitch`: writing the output, audio included; `analysis`: merging the segments' analyses;
/// - `other`: the rest of the makespan (queueing, store writes between phases).
///
/// `busy` is the agents' own time on every attempt (`work(_:)`: the seconds each agent reported,
/// within the time the attempt can have run on its agent), superseded copies and failures included; `utilization` = busy / (N × dispatch seconds): 1 when every one of the N slots
/// worked from the first assignment to the last acceptance.
public struct BenchFigures: Codable, Sendable, Equatable {
    public var makespan: Double
    public var probe: Double
    public var plan: Double
    public var extract: Double
    public var dispatch: Double
    public var stitch: Double
    public var analysis: Double
    public var busy: Double
    /// Busy seconds of attempts whose result was not used (a faster copy won, failed, requeued).
    public var wasted: Double
    public var utilization: Double?
    /// Segment payloads sent to agents plus results returned, or the links' own counters.
    public var bytesOnLinks: Int
    public var segments: Int
    public var attempts: Int

    public var split: Double { probe + plan + extract }
    public var encode: Double { max(0, dispatch - extract) }
    public var other: Double { max(0, makespan - split - encode - stitch - analysis) }
    /// Seconds that do not shrink with more agents: what the Amdahl fit calls serial.
    public var serial: Double { split + stitch + analysis }

    public init(makespan: Double, probe: Double, plan: Double, extract: Double, dispatch: Double, stitch: Double, analysis: Double,
                busy: Double, wasted: Double, utilization: Double?, bytesOnLinks: Int, segments: Int, attempts: Int) {
        self.makespan = makespan
        self.probe = probe
        self.plan = plan
        self.extract = extract
        self.dispatch = dispatch
        self.stitch = stitch
        self.analysis = analysis
        self.busy = busy
        self.wasted = wasted
        self.utilization = utilization
        self.bytesOnLinks = bytesOnLinks
        self.segments = segments
        self.attempts = attempts
    }

    /// The figures of a job that ran with at most `agents` agents. `elapsed` (the job view's
    /// done − submitted, whole seconds) stands in for the makespan only when the timings have no
    /// dispatch end; `linkBytes` replaces the payload sum when links were counted.
    public init(timings t: JobTimings, agents: Int, elapsed: Double? = nil, linkBytes: Int? = nil) {
        probe = t.probeSeconds ?? 0
        plan = t.planSeconds ?? 0
        stitch = t.stitchSeconds ?? 0
        analysis = t.analysisSeconds ?? 0
        extract = t.attempts.reduce(0) { $0 + $1.extractSeconds }
        if let start = t.dispatchStart, let end = t.dispatchEnd, end >= start { dispatch = end - start } else { dispatch = 0 }
        if let end = t.dispatchEnd {
            makespan = end + stitch + analysis
        } else {
            makespan = elapsed ?? 0
        }
        var busy = 0.0, wasted = 0.0, bytes = 0
        for (a, work) in zip(t.attempts, Self.work(t.attempts)) {
            let seconds = work.map { $0.upperBound - $0.lowerBound } ?? 0
            busy += seconds
            if let outcome = a.outcome, outcome != "done" { wasted += seconds }
            bytes += a.sentBytes + (a.returnedBytes ?? 0)
        }
        self.busy = busy
        self.wasted = wasted
        utilization = dispatch > 0 && agents > 0 ? busy / (Double(agents) * dispatch) : nil
        bytesOnLinks = linkBytes ?? bytes
        segments = Set(t.attempts.map(\.segment)).count
        attempts = t.attempts.count
    }

    /// When each attempt's agent worked on it (nil: it never ran there, or has not ended): up to
    /// its end, for the seconds the agent reported (decode + encode + analysis), but never before
    /// its assignment nor before the same agent's previous attempt ended, since an agent the
    /// bench starts has one slot. The cap matters: the analysis runs beside the encoder, so the
    /// agent's sum can exceed its wall time. An attempt without reported seconds (a failure)
    /// counts from the earliest moment it could have started; a prefetched segment that moved
    /// before it started counts nothing.
    public static func work(_ attempts: [SegmentAttemptTiming]) -> [ClosedRange<Double>?] {
        var spans = [ClosedRange<Double>?](repeating: nil, count: attempts.count)
        let byAgent = Dictionary(grouping: attempts.indices.filter { attempts[$0].ended != nil && attempts[$0].outcome != "moved" },
                                 by: { attempts[$0].agent })
        for (_, indices) in byAgent {
            var previousEnd = -Double.infinity
            for i in indices.sorted(by: { (attempts[$0].ended!, $0) < (attempts[$1].ended!, $1) }) {
                let a = attempts[i], end = a.ended!
                let earliest = min(end, max(a.assigned, previousEnd))
                let start = a.agentSeconds.map { max(earliest, end - $0) } ?? earliest
                spans[i] = start...end
                previousEnd = end
            }
        }
        return spans
    }
}
