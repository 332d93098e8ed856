import GopfarmCommon

extension SegmentPlanner {
    /// The key frames a segment may start at, and the time each GOP starts.
    struct GOPs {
        /// The first decodable packet, then every later key frame (decode order).
        var candidates: [Int]
        var first: Int { candidates[0] }
        /// Start time of the GOP beginning at each candidate: the smallest shown pts in it.
        var start: [Int: Int64] = [:]
        let firstRandomAccess: RandomAccessKind
        let firstPTS: Int64

        init(_ index: VideoPacketIndex) throws(MediaError) {
            let records = index.records
            guard let first = index.firstDecodablePacket else {
                throw MediaError(.planFailed, "the video has no key frame to start decoding from")
            }
            candidates = [first] + index.keyFrameIndices.filter { $0 > first }
            for (n, c) in candidates.enumerated() {
                let end = n + 1 < candidates.count ? candidates[n + 1] : records.count
                start[c] = records[c..<end].lazy.filter(\.isShown).map(\.pts).min() ?? records[c].pts
            }
            firstRandomAccess = records[first].randomAccess
            firstPTS = records[first].pts
        }

        /// Leading pictures of an open-GOP first key frame reference a GOP that is not in the
        /// file: no decoder can show them, so the first segment starts at the key frame itself.
        mutating func startAtFirstKeyFrame(_ cuts: inout [Cut]) {
            guard firstRandomAccess != .closed else { return }
            start[first] = firstPTS
            cuts[0].pts = firstPTS
        }
    }
}
