/// Derives monotonic decode timestamps for the concatenation of independently encoded segments.
///
/// Each segment's encoder started its own clock, so its DTS may run below the previous
/// segment's last DTS. As x264 does within one stream, the k-th packet in decode order gets the
/// (k − depth)-th smallest presentation time of the whole output, where depth is the largest
/// reorder depth of any segment: monotonic by construction and never after its own PTS.
/// Segments' frame ranges are disjoint and ordered, so the global sorted list is the
/// concatenation of each segment's sorted PTS; only the last `depth` of them are kept.
struct DecodeTimestamps {
    let depth: Int
    private var tail: [Int64] = []
    private var firstPTS: Int64?
    private var step: Int64 = 1

    init(depth: Int) { self.depth = max(0, depth) }

    /// DTS for one segment's packets, given their PTS in decode order.
    mutating func next(segmentPTS: [Int64]) -> [Int64] {
        let sorted = segmentPTS.sorted()
        let window = tail + sorted
        if firstPTS == nil, let f = sorted.first {
            firstPTS = f
            if sorted.count > 1 { step = max(1, sorted[1] - sorted[0]) }
        }
        var out: [Int64] = []
        out.reserveCapacity(segmentPTS.count)
        for i in segmentPTS.indices {
            let n = tail.count + i - depth
            out.append(n >= 0 ? window[n] : window[0] - Int64(-n) * step)
        }
        tail = Array(window.suffix(depth))
        return out
    }
}
