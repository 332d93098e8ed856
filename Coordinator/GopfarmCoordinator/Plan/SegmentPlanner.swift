import GopfarmCommon

/// Cuts a video packet index into segments at real random access points near a target length.
///
/// Rules (see docs/ARCHITECTURE.md): a segment starts at a key frame the bitstream confirms; its
/// `startPTS` is the smallest presentation time of its first GOP (so open-GOP leading pictures
/// belong to it); it ends where the next one starts. A segment is primed with the previous GOP
/// when its key frame is open-GOP or when any earlier packet is shown inside its range.
/// A tail shorter than a quarter of the target merges into its neighbour.
public struct SegmentPlanner: Sendable {
    public var targetSeconds: Double

    public init(targetSeconds: Double) {
        self.targetSeconds = targetSeconds
    }

    public func plan(_ index: VideoPacketIndex, timeBase: Rational) throws(MediaError) -> SegmentPlan {
        let records = index.records
        guard let first = index.firstDecodablePacket else {
            throw MediaError(.planFailed, "the video has no key frame to start decoding from")
        }
        let candidates = [first] + index.keyFrameIndices.filter { $0 > first }
        let target = max(1, Int64(targetSeconds / timeBase.doubleValue))
        let floor = target / 4

        // Start time of the GOP beginning at each candidate: the smallest shown pts in it.
        var gopStart: [Int: Int64] = [:]
        for (n, c) in candidates.enumerated() {
            let end = n + 1 < candidates.count ? candidates[n + 1] : records.count
            gopStart[c] = records[c..<end].lazy.filter(\.isShown).map(\.pts).min() ?? records[c].pts
        }

        // Greedy cut: the candidate whose distance from the segment start is closest to target.
        var starts = [first]
        for (n, c) in candidates.enumerated() where n > 0 {
            let elapsed = gopStart[c]! - gopStart[starts.last!]!
            guard elapsed >= target else { continue }
            let previous = candidates[n - 1]
            let previousElapsed = gopStart[previous]! - gopStart[starts.last!]!
            if previous != starts.last!, target - previousElapsed < elapsed - target {
                starts.append(previous)
                if gopStart[c]! - gopStart[previous]! >= target { starts.append(c) }
            } else {
                starts.append(c)
            }
        }
        let lastShown = records.lazy.filter(\.isShown).map(\.pts).max() ?? gopStart[starts.last!]!
        if starts.count > 1, lastShown - gopStart[starts.last!]! < floor { starts.removeLast() }

        // Leading pictures of an open-GOP first key frame reference a GOP that is not in the
        // file: no decoder can show them, so the first segment starts at the key frame itself.
        if records[first].randomAccess != .closed { gopStart[first] = records[first].pts }

        var segments: [PlannedSegment] = []
        for (n, start) in starts.enumerated() {
            let end = n + 1 < starts.count ? starts[n + 1] : records.count
            let startPTS = gopStart[start]!
            let endPTS = n + 1 < starts.count ? gopStart[starts[n + 1]]! : nil
            var priming = start
            if n > 0 {
                let previousStart = starts[n - 1]
                let crossing = records[previousStart..<start].indices.filter { records[$0].isShown && records[$0].pts >= startPTS }
                if records[start].randomAccess == .open || !crossing.isEmpty {
                    let earliest = crossing.min() ?? start
                    priming = candidates.last { $0 < start && $0 <= earliest } ?? previousStart
                }
            }
            var count = 0, firstPTS = Int64.max, lastPTS = Int64.min, corrupt = false
            for r in records[priming..<end] {
                if r.corrupt { corrupt = true }
                guard r.isShown, r.pts >= startPTS, endPTS.map({ r.pts < $0 }) ?? true else { continue }
                count += 1
                firstPTS = min(firstPTS, r.pts)
                lastPTS = max(lastPTS, r.pts)
            }
            segments.append(PlannedSegment(
                index: n, primingPacket: priming, startPacket: start, endPacket: end, startPTS: startPTS, endPTS: endPTS,
                expectedFrames: count, firstPTS: firstPTS, lastPTS: lastPTS, containsCorruptPackets: corrupt))
        }
        let skipped = plan0Skipped(records, first: first, startPTS: gopStart[first]!)
        let plan = SegmentPlan(segments: segments, timeBase: timeBase, skippedLeadingFrames: skipped,
                               totalFrames: index.shownCount)
        if plan.expectedFrames + skipped != plan.totalFrames {
            let stray = plan.totalFrames - plan.expectedFrames - skipped
            throw MediaError(.planFailed, "the video's timestamps are damaged: \(abs(stray)) of its \(plan.totalFrames) frames repeat or jump back in time, so they cannot be put in order (a remux that regenerates timestamps may repair the file)")
        }
        return plan
    }

    /// Shown frames no segment can produce: before the first key frame in decode order, or its
    /// undecodable leading pictures.
    private func plan0Skipped(_ records: [VideoPacketRecord], first: Int, startPTS: Int64) -> Int {
        records.indices.filter { i in
            records[i].isShown && (i < first || records[i].pts < startPTS)
        }.count
    }
}
