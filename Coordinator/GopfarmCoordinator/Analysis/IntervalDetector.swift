/// Finds the runs of frames where a condition holds that last at least a minimum duration:
/// black frames (blackdetect's rule) and frozen frames (freezedetect's).
struct IntervalDetector {
    /// Seconds of frame `i` from the first frame; `time(count)` is the end of the last frame.
    let time: (Int) -> Double

    /// Half-open frame ranges where `holds` is true for every frame and that last `minSeconds`.
    func runs(count: Int, minSeconds: Double, holds: (Int) -> Bool) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start: Int?
        for i in 0...count {
            if i < count, holds(i) {
                if start == nil { start = i }
            } else if let s = start {
                if time(i) - time(s) >= minSeconds - 1e-9 { out.append(s..<i) }
                start = nil
            }
        }
        return out
    }
}
