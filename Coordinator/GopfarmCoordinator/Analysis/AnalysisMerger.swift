import Foundation
import GopfarmCommon

/// Joins the segments' analyses into one record for the job: fills each segment's first score
/// from its neighbour's boundary signature, then decides scenes, fades, black and frozen
/// intervals over the whole series, and keeps one thumbnail per scene.
///
/// Reads each segment's spooled analysis twice (series, then thumbnails) so only one segment's
/// thumbnails are in memory at a time.
public struct AnalysisMerger {
    public let settings: AnalysisSettings
    public let timeBase: Rational

    public init(settings: AnalysisSettings, timeBase: Rational) {
        self.settings = settings
        self.timeBase = timeBase
    }

    /// `thumbnails`: where `scene-NNNN.jpg` files are written (nil: none kept).
    public func merge(_ completed: [CompletedSegment], thumbnails: URL?) throws -> JobAnalysis {
        let segments = completed.sorted { $0.result.segment < $1.result.segment }
        var series = FrameSeries()
        var previousLast: FrameSignature?
        var rows: [JobAnalysis.Segment] = []
        let jobStart = segments.compactMap(\.leasedAt).min()
        for c in segments {
            var a = try load(c)
            if let previousLast, a.series.count > 0, a.series.score[0] == nil, let change = a.first.change(from: previousLast) {
                a.series.score[0] = change.score
                a.series.motion[0] = change.motion
            }
            previousLast = a.last
            rows.append(row(c, startFrame: series.count, analysisSeconds: a.analysisSeconds, jobStart: jobStart))
            series.append(contentsOf: a.series)
        }
        guard series.count > 0 else { throw MediaError(.segmentMismatch, "no frame was analyzed") }
        for i in rows.indices { rows[i].start = MediaTime(series.pts[rows[i].startFrame] - series.pts[0], timeBase).seconds }

        let decision = SceneDetector(settings: settings).decide(series)
        let end = seconds(series, series.count)
        let time = { (i: Int) in i < series.count ? self.seconds(series, i) : end }
        let intervals = IntervalDetector(time: time)
        let black = intervals.runs(count: series.count, minSeconds: settings.blackMinSeconds) {
            Double(series.blackRatio[$0]) >= settings.blackPictureRatio
        }
        let frozenLevel = Float(settings.freezeNoise * 255)
        let frozen = intervals.runs(count: series.count, minSeconds: 0) { i in
            i + 1 < series.count && (series.motion[i + 1] ?? .infinity) <= frozenLevel
        }.map { $0.lowerBound..<($0.upperBound + 1) }.filter { time($0.upperBound) - time($0.lowerBound) >= settings.freezeMinSeconds - 1e-9 }

        let boundaries = [(frame: 0, kind: JobAnalysis.Scene.Start.start, score: Double?.none)] + decision.starts
        var scenes = boundaries.enumerated().map { k, b in
            let end = k + 1 < boundaries.count ? boundaries[k + 1].frame : series.count
            return JobAnalysis.Scene(index: k, startFrame: b.frame, endFrame: end, start: time(b.frame), end: time(end),
                                     kind: b.kind, score: b.score)
        }
        if let thumbnails { try keepThumbnails(segments, scenes: &scenes, series: series, into: thumbnails) }
        let interval = { (r: Range<Int>) in
            JobAnalysis.Interval(startFrame: r.lowerBound, endFrame: r.upperBound, start: time(r.lowerBound), end: time(r.upperBound))
        }
        return JobAnalysis(
            settings: settings, frames: series.count, duration: time(series.count), scenes: scenes,
            transitions: decision.fades.map { JobAnalysis.Transition(kind: $0.kind, startFrame: $0.start, endFrame: $0.end, start: time($0.start), end: time($0.end)) },
            black: black.map(interval), frozen: frozen.map(interval), statistics: Self.statistics(series), segments: rows, series: series)
    }

    private func load(_ c: CompletedSegment) throws -> SegmentAnalysis {
        guard let url = c.analysisPath, let data = try? Data(contentsOf: url) else {
            throw MediaError(.segmentMismatch, "segment \(c.result.segment) has no analysis; it was made by an agent that does not analyze")
        }
        return try JSONDecoder().decode(SegmentAnalysis.self, from: data)
    }

    /// Seconds of frame `i` from the first frame; frame `count` ends the last one (its duration
    /// taken as the median frame step).
    func seconds(_ s: FrameSeries, _ i: Int) -> Double {
        guard let first = s.pts.first else { return 0 }
        if i < s.count { return MediaTime(s.pts[i] - first, timeBase).seconds }
        let steps = zip(s.pts.dropFirst(), s.pts).map { $0 - $1 }.sorted()
        let step = steps.isEmpty ? 0 : steps[steps.count / 2]
        return MediaTime(s.pts[s.count - 1] + step - first, timeBase).seconds
    }

    private func row(_ c: CompletedSegment, startFrame: Int, analysisSeconds: Double, jobStart: Date?) -> JobAnalysis.Segment {
        let r = c.result
        var row = JobAnalysis.Segment(
            index: r.segment, startFrame: startFrame, frames: r.frames, start: 0, agent: c.agent, bytes: r.payloadBytes,
            decodeSeconds: r.decodeSeconds, encodeSeconds: r.encodeSeconds, analysisSeconds: r.analysisSeconds ?? analysisSeconds,
            startedAt: jobStart.flatMap { s in c.leasedAt.map { $0.timeIntervalSince(s) } },
            finishedAt: jobStart.flatMap { s in c.finishedAt.map { $0.timeIntervalSince(s) } })
        if let q = r.quality {
            let finite = { (v: Double?) in v.flatMap { $0.isFinite ? $0 : nil } }
            row.lossless = q.mse.allSatisfy { $0 == 0 }
            row.psnrY = finite(q.psnrY)
            row.psnrU = finite(q.psnrU)
            row.psnrV = finite(q.psnrV)
            row.psnrAll = finite(q.psnrAll)
            row.ssimY = q.ssimY
        }
        return row
    }

    /// Picks, for each scene, the candidate thumbnail nearest the scene's middle.
    private func keepThumbnails(_ segments: [CompletedSegment], scenes: inout [JobAnalysis.Scene], series: FrameSeries, into dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let startPTS = scenes.map { series.pts[$0.startFrame] }
        let middles = scenes.map { Double(series.pts[$0.startFrame]) + Double(series.pts[$0.endFrame - 1] - series.pts[$0.startFrame]) / 2 }
        var best: [Int: (distance: Double, jpeg: Data)] = [:]
        for c in segments {
            for t in try load(c).thumbnails {
                var lo = 0, hi = startPTS.count - 1
                while lo < hi {
                    let mid = (lo + hi + 1) / 2
                    if startPTS[mid] <= t.pts { lo = mid } else { hi = mid - 1 }
                }
                let distance = abs(Double(t.pts) - middles[lo])
                if best[lo].map({ distance < $0.distance }) ?? true { best[lo] = (distance, t.jpeg) }
            }
        }
        for (k, pick) in best {
            let name = ReportFiles.scenePictureName(k)
            try pick.jpeg.write(to: dir.appendingPathComponent(name), options: .atomic)
            scenes[k].thumbnail = name
        }
    }

    static func statistics(_ s: FrameSeries) -> JobAnalysis.Statistics {
        let n = Double(max(1, s.count))
        func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) } / n }
        let motion = s.motion.compactMap { $0 }
        return JobAnalysis.Statistics(
            lumaMean: mean(s.lumaMean), lumaMin: Int(s.lumaMin.min() ?? 0), lumaMax: Int(s.lumaMax.max() ?? 0),
            colourfulness: mean(s.colourfulness),
            motion: motion.isEmpty ? 0 : motion.reduce(0.0) { $0 + Double($1) } / Double(motion.count),
            sharpness: mean(s.sharpness))
    }
}
