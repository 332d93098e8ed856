import Foundation

/// An adaptive-bitrate ladder: the renditions one decode of each segment is encoded to, and how
/// the stitcher packages them (`PackageFormat`). Travels inside `EncodeSettings`, so a ladder
/// job is dispatched, stored and re-run like any other; the job's own codec, CRF and preset are
/// the defaults of every rung.
///
/// Every rendition gets an IDR frame at the same source frames: the first frame of each farm
/// segment, and the first frame at or after each multiple of `segmentSeconds` from
/// `keyFrameOrigin`. Nowhere else (no scene-cut key frames), so every packaging segment starts
/// with an IDR in every rendition at the same instant, and players switch seamlessly.
public struct Ladder: Codable, Sendable, Equatable {
    /// The renditions, highest first. Empty while `auto` is unresolved.
    public var rungs: [LadderRung]
    /// `--ladder auto`: the rungs are chosen from probe encodes of the title before the job runs.
    public var auto: Bool
    public var packages: [PackageFormat]
    /// The packaging segment length in seconds (HLS/DASH media segments).
    public var segmentSeconds: Double
    /// Presentation time (source time base) the key frame grid counts from: the first frame of
    /// the plan, filled in when the job is planned (nil: 0).
    public var keyFrameOrigin: Int64?

    public static let defaultSegmentSeconds = 4.0
    public static let segmentSecondsRange: ClosedRange<Double> = 1...20
    public static let maxRungs = 12
    /// Codecs a CMAF rendition can carry here (fragmented MP4 with avc1/hvc1/av01 sample entries).
    public static let codecs = ["libx264", "libx265", "libsvtav1"]
    /// Codecs `--ladder auto` probes (its grid of CRFs is tuned for x264 and x265).
    public static let autoCodecs = ["libx264", "libx265"]

    public init(rungs: [LadderRung], auto: Bool = false, packages: [PackageFormat] = PackageFormat.allCases,
                segmentSeconds: Double = Ladder.defaultSegmentSeconds, keyFrameOrigin: Int64? = nil) {
        self.rungs = rungs
        self.auto = auto
        self.packages = packages
        self.segmentSeconds = segmentSeconds
        self.keyFrameOrigin = keyFrameOrigin
    }

    /// Parses `--ladder`: `auto`, or rungs separated by commas (`1080p:6M,720p:3M,480p:1.2M`).
    public init(parsing text: String, packages: [PackageFormat] = PackageFormat.allCases,
                segmentSeconds: Double = Ladder.defaultSegmentSeconds) throws(MediaError) {
        if text.trimmingCharacters(in: .whitespaces) == "auto" {
            self.init(rungs: [], auto: true, packages: packages, segmentSeconds: segmentSeconds)
            return
        }
        var rungs: [LadderRung] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            rungs.append(try LadderRung(parsing: String(part).trimmingCharacters(in: .whitespaces)))
        }
        rungs = Self.namedApart(rungs, given: [])
        self.init(rungs: rungs, packages: packages, segmentSeconds: segmentSeconds)
    }

    /// Two rates at one size (360p:1M,360p:500k) are 360p and 360p-2, as `--ladder auto` names
    /// them: a default name already taken gets -2, -3 (names given, at `given`, stay as they are).
    public static func namedApart(_ rungs: [LadderRung], given: Set<Int>) -> [LadderRung] {
        var names = Set(given.compactMap { rungs.indices.contains($0) ? rungs[$0].name.lowercased() : nil })
        return rungs.enumerated().map { i, rung in
            guard !given.contains(i) else { return rung }
            var rung = rung
            let base = rung.name
            var n = 2
            while !names.insert(rung.name.lowercased()).inserted { rung.name = "\(base)-\(n)"; n += 1 }
            return rung
        }
    }

    /// What `--ladder` takes, for help texts.
    public static let syntax = "auto, or rungs HEIGHTp:RATE[:CODEC][:abr][:crf=N][:preset=P][:sdr] separated by commas, e.g. 1080p:6M,720p:3M,480p:1.2M,360p:700k"

    /// Whether the frame at `pts` starts a packaging segment (the first frame of a farm segment
    /// always does): it is the first at or after a multiple of `segmentSeconds` since the origin,
    /// unless that is within `shortestFraction` of the length from a farm cut (the farm segment's
    /// first frame at `farmStart`, the next one's at `farmEnd`). A farm cut always starts a
    /// segment, and a grid point a frame away from it made a segment of one frame (QA: 0.033 s
    /// between a grid IDR at 3.012 s and the farm's cut at a source key frame at 3.045 s); such
    /// a sliver joins its neighbour, so a segment may last up to 1.25 × the length.
    public func startsPackagingSegment(pts: Int64, previous: Int64?, timeBase: Rational,
                                       farmStart: Int64? = nil, farmEnd: Int64? = nil) -> Bool {
        guard let previous else { return true }
        guard gridIndex(pts, timeBase) != gridIndex(previous, timeBase) else { return false }
        let shortest = segmentSeconds * Self.shortestFraction
        func seconds(_ ticks: Int64) -> Double { Double(ticks) * Double(timeBase.num) / Double(timeBase.den) }
        if let farmStart, seconds(pts - farmStart) < shortest { return false }
        if let farmEnd, seconds(farmEnd - pts) < shortest { return false }
        return true
    }

    /// The shortest packaging segment a grid point may make beside a farm cut, as a fraction
    /// of the length (a farm segment shorter than that is one packaging segment).
    public static let shortestFraction = 0.25

    private func gridIndex(_ pts: Int64, _ timeBase: Rational) -> Int64 {
        let seconds = Double(pts - (keyFrameOrigin ?? 0)) * Double(timeBase.num) / Double(timeBase.den)
        // A hair of slack so a frame exactly on the grid (rounded timestamps) starts its segment.
        return Int64((seconds / segmentSeconds + 1e-9).rounded(.down))
    }

    /// The encode settings of each rung: the job's `base` settings with the rung's size, codec
    /// and rate control, key frames only where forced.
    public func renditionSettings(base: EncodeSettings) -> [EncodeSettings] {
        rungs.map { $0.settings(base: base) }
    }
}
