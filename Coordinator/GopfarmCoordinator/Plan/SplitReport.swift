import Foundation
import GopfarmCommon

/// A dry run of the coordinator's side of a job: probe, plan, and (optionally) extract every
/// segment as agents would receive them, timed. `gopfarm probe --plan --extract` prints it.
public struct SplitReport: Sendable, Codable {
    public struct Segment: Sendable, Codable {
        public var index: Int
        public var start: Double
        public var end: Double?
        public var frames: Int
        public var packets: Int
        public var primed: Bool
        public var bytes: Int?
    }

    public var segments: [Segment]
    public var probeSeconds: Double
    public var extractSeconds: Double?
    public var mediaSeconds: Double
    /// Media seconds per wall second for probe + plan + extraction.
    public var speed: Double

    public static func run(path: String, segmentSeconds: Double, extract: Bool,
                           progress: MediaProbe.Progress? = nil) throws(MediaError) -> (MediaProbe, SplitReport) {
        let t0 = MonotonicClock.now()
        let probe = try MediaProbe(path: path, progress: progress)
        let plan = try SegmentPlanner(targetSeconds: segmentSeconds).plan(probe.index, timeBase: probe.videoTimeBase)
        let t1 = MonotonicClock.now()
        var bytes: [Int: Int] = [:]
        if extract {
            let extractor = try SegmentExtractor(path: path, probe: probe)
            for s in plan.segments { bytes[s.index] = try extractor.extract(s).count }
        }
        let t2 = MonotonicClock.now()
        let tb = probe.videoTimeBase
        let first = plan.segments.first.map { MediaTime($0.startPTS, tb).seconds } ?? 0
        let segments = plan.segments.map { s in
            Segment(index: s.index, start: MediaTime(s.startPTS, tb).seconds - first,
                    end: s.endPTS.map { MediaTime($0, tb).seconds - first }, frames: s.expectedFrames,
                    packets: s.packetCount, primed: s.isPrimed, bytes: bytes[s.index])
        }
        let total = extract ? t2 - t0 : t1 - t0
        return (probe, SplitReport(segments: segments, probeSeconds: t1 - t0, extractSeconds: extract ? t2 - t1 : nil,
                                   mediaSeconds: probe.info.videoSeconds, speed: probe.info.videoSeconds / max(total, 1e-9)))
    }
}
