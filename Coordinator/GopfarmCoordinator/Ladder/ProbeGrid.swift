import GopfarmCommon

/// The encodes the agents make of each probe segment: every probe resolution × every CRF.
///
/// Resolutions: the standard heights (`LadderDefaults.probeHeights`) at or below the source's,
/// highest first, and the source's own (even) height where the tallest of those is under 90 %
/// of it (a 480-line source is probed at 480, not only 360; none above the tallest standard
/// one, so a portrait or 4K source tops out at 1080); when fewer than
/// `LadderDefaults.minProbeResolutions` fit (a small source), its halves are added, so there is
/// always a choice of size.
/// Widths keep the display aspect and are even (4:2:0 chroma). Nothing is upscaled: a rung
/// above the source's height only spends bits on interpolation.
public struct ProbeGrid: Sendable, Equatable {
    public struct Resolution: Codable, Sendable, Equatable, Hashable {
        public var width: Int
        public var height: Int
        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    /// Highest first.
    public let resolutions: [Resolution]
    /// Lowest (best quality) first.
    public let crfs: [Double]

    /// `sourceWidth` × `sourceHeight` is the display size (sample aspect ratio applied), the
    /// size quality is measured at.
    public init(sourceWidth: Int, sourceHeight: Int, heights: [Int] = LadderDefaults.probeHeights,
                crfs: [Double] = LadderDefaults.probeCRFs) throws(MediaError) {
        guard (16...16384).contains(sourceWidth), (16...16384).contains(sourceHeight) else {
            throw MediaError(.invalidOption, "the probe needs a display size between 16 and 16384 pixels a side, not \(sourceWidth)x\(sourceHeight)")
        }
        let crfSet = Set(crfs)
        guard !crfSet.isEmpty, crfSet.allSatisfy({ (0...51).contains($0) }) else {
            throw MediaError(.invalidOption, "probe CRF values must be between 0 and 51, and at least one")
        }
        let top = sourceHeight & ~1
        var chosen = Array(Set(heights.filter { $0 >= 16 && $0 % 2 == 0 && $0 <= top })).sorted(by: >)
        if top >= 16, top <= heights.max() ?? 0, Double(chosen.first ?? 0) < 0.9 * Double(top) { chosen.insert(top, at: 0) }
        var extra = top
        while chosen.count < LadderDefaults.minProbeResolutions && extra >= 16 {
            if !chosen.contains(extra) { chosen.append(extra) }
            extra = (extra / 2) & ~1
        }
        chosen.sort(by: >)
        self.resolutions = chosen.map { Resolution(width: Self.width(forHeight: $0, sourceWidth: sourceWidth, sourceHeight: sourceHeight), height: $0) }
        self.crfs = crfSet.sorted()
    }

    /// Every encode of the grid, highest resolution and best quality first.
    public var encodes: [(resolution: Resolution, crf: Double)] {
        resolutions.flatMap { r in crfs.map { (r, $0) } }
    }

    /// The even width that keeps the display aspect at `height`.
    public static func width(forHeight height: Int, sourceWidth: Int, sourceHeight: Int) -> Int {
        guard sourceHeight > 0 else { return 2 }
        return max(2, Int((Double(sourceWidth) * Double(height) / Double(sourceHeight) / 2).rounded()) * 2)
    }
}
