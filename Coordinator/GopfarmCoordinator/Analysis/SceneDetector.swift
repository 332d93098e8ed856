import GopfarmCommon

/// Decides scene cuts and fades from a whole job's per-frame series, in one pass in frame order,
/// so a farm run (segments merged) and a single pass over the file decide the same.
///
/// - A hard cut: a frame whose content score reaches the threshold, at least `minSceneFrames`
///   after the previous scene start (PySceneDetect's content detector rule).
/// - A fade-out: mean luma falling frame after frame into a black frame; a fade-in: rising
///   frame after frame out of one. A fade-in starts a scene (kind `.transition`). Where a fade
///   meets black, hue and saturation of the nearly black frames jump and the content score with
///   them: a cut within one frame of either end of a fade is the fade's, not a cut.
/// - Cross-dissolves are not detected (deciding them needs comparing frames further apart than
///   neighbours); they produce no cut either, their frames change too little one to the next.
struct SceneDetector {
    let settings: AnalysisSettings

    struct Decision {
        /// Scene starts after frame 0: frame index, how, and the score at that frame.
        var starts: [(frame: Int, kind: JobAnalysis.Scene.Start, score: Double?)]
        var fades: [(kind: JobAnalysis.Transition.Kind, start: Int, end: Int)]
    }

    func decide(_ series: FrameSeries) -> Decision {
        let fades = detectFades(series)
        let fadeInStarts = Dictionary(fades.filter { $0.kind == .fadeIn }.map { ($0.start, $0) }, uniquingKeysWith: { a, _ in a })
        let fadeEdges = Set(fades.flatMap { f in [f.start - 1, f.start, f.start + 1, f.end - 1, f.end, f.end + 1] })
        var starts: [(frame: Int, kind: JobAnalysis.Scene.Start, score: Double?)] = []
        var lastStart = 0
        for i in 1..<max(1, series.count) {
            let score = series.score[i].map(Double.init)
            let isCut = (score ?? 0) >= settings.sceneThreshold && !fadeEdges.contains(i)
            let isFadeIn = fadeInStarts[i] != nil
            guard isCut || isFadeIn, i - lastStart >= settings.minSceneFrames else { continue }
            starts.append((i, isCut ? .cut : .transition, score))
            lastStart = i
        }
        return Decision(starts: starts, fades: fades.map { ($0.kind, $0.start, $0.end) })
    }

    private struct Fade { var kind: JobAnalysis.Transition.Kind; var start: Int; var end: Int }

    /// Fade-out: frames [start, end) each darker than the one before, `end - 1` black.
    /// Fade-in: frames [start, end) each brighter than the one before, `start - 1` black.
    private func detectFades(_ s: FrameSeries) -> [Fade] {
        let n = s.count
        guard n > 1 else { return [] }
        let black = s.blackRatio.map { Double($0) >= settings.blackPictureRatio }
        let tolerance: Float = 0.05
        var fades: [Fade] = []
        // Runs of strictly falling luma ending in a black frame.
        var i = 1
        while i < n {
            guard s.lumaMean[i] < s.lumaMean[i - 1] - tolerance else { i += 1; continue }
            var j = i
            while j + 1 < n, s.lumaMean[j + 1] < s.lumaMean[j] - tolerance, !black[j] { j += 1 }
            if black[j], j - i + 1 >= settings.fadeMinFrames, !black[i - 1],
               Double(s.lumaMean[i - 1] - s.lumaMean[j]) >= settings.fadeMinLumaChange {
                fades.append(Fade(kind: .fadeOut, start: i, end: j + 1))
            }
            i = j + 1
        }
        // Runs of strictly rising luma starting after a black frame.
        i = 1
        while i < n {
            guard black[i - 1], !black[i], s.lumaMean[i] > s.lumaMean[i - 1] + tolerance else { i += 1; continue }
            var j = i
            while j + 1 < n, s.lumaMean[j + 1] > s.lumaMean[j] + tolerance { j += 1 }
            if j - i + 1 >= settings.fadeMinFrames, Double(s.lumaMean[j] - s.lumaMean[i - 1]) >= settings.fadeMinLumaChange {
                fades.append(Fade(kind: .fadeIn, start: i, end: j + 1))
            }
            i = j + 1
        }
        return fades.sorted { $0.start < $1.start }
    }
}
