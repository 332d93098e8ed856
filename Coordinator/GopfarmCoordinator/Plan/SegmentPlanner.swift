import GopfarmCommon

/// Cuts a video packet index into segments at real random access points near a target length.
///
/// Rules (see docs/ARCHITECTURE.md): a segment starts at a key frame the bitstream confirms; its
/// `startPTS` is the smallest presentation time of its first GOP (so open-GOP leading pictures
/// belong to it); it ends where the next one starts. A segment is primed with the previous GOP
/// when its key frame is open-GOP or when any earlier packet is shown inside its range.
/// A tail shorter than a quarter of the target merges into its neighbour.
///
/// With one slot the cuts fall near every `targetSeconds`. With more (`slots`: the segments the
/// farm runs at once), the segment count is rounded up to a multiple of the slots and the video
/// is divided into that many near-equal parts, each cut at the key frame nearest its ideal
/// boundary, so the last round is as full as the first: 30 s at 10 s on 2 slots is 4 × 7.5 s,
/// not 3 × 10 s with one slot idle through the third. Parts never get shorter than a quarter of
/// the target; below that, fewer parts than a full round. Where every packet is one shown frame
/// (no hidden frames, no field pairs) and no ladder grid applies, those parts are cut at any
/// frame, to near-equal frame counts: a part that starts inside a GOP is decoded from the GOP's
/// key frame (the frames before its start decoded and dropped), and the part before it ends with
/// the packets its last frames need. With key frames every 2 s, 30 s on 2 slots is then
/// 2 × 7.5 s per slot, not 8 s on one and 7 s on the other.
///
/// `gridSeconds` (a ladder's packaging segment length): the ideal boundaries of the near-equal
/// parts are rounded to whole multiples of it from the first frame, so a packaging segment
/// rarely ends early at a farm cut (with one slot the target is already such a multiple).
public struct SegmentPlanner: Sendable {
    public var targetSeconds: Double
    public var slots: Int
    public var gridSeconds: Double?

    public init(targetSeconds: Double, slots: Int = 1, gridSeconds: Double? = nil) {
        self.targetSeconds = targetSeconds
        self.slots = max(1, slots)
        self.gridSeconds = gridSeconds
    }

    public func plan(_ index: VideoPacketIndex, timeBase: Rational) throws(MediaError) -> SegmentPlan {
        let records = index.records
        var gops = try GOPs(index)
        let target = max(1, Int64(targetSeconds / timeBase.doubleValue))
        let floor = target / 4
        let (candidates, first) = (gops.candidates, gops.first)

        let lastShown = records.lazy.filter(\.isShown).map(\.pts).max() ?? gops.start[first]!
        let grid = gridSeconds.flatMap { $0 > 0 ? max(1, Int64($0 / timeBase.doubleValue)) : nil }
        var cuts: [Cut]
        if slots > 1 {
            let starts = balancedStarts(candidates, gopStart: gops.start, end: lastShown, target: target, grid: grid)
            // Between key frames too, where every packet is one shown frame and no ladder grid
            // asks for key frame boundaries: the rounds then balance to the frame, not the GOP.
            cuts = grid == nil && Self.cutsAtAnyFrame(index)
                ? frameCuts(count: starts.count, records: records, candidates: candidates, gopStart: gops.start)
                : starts.map { Cut(key: $0, pts: gops.start[$0]!) }
        } else {
            cuts = greedyStarts(candidates, gopStart: gops.start, target: target).map { Cut(key: $0, pts: gops.start[$0]!) }
        }
        if cuts.count > 1, lastShown - cuts.last!.pts < floor { cuts.removeLast() }
        gops.startAtFirstKeyFrame(&cuts)
        return try Self.build(cuts, gops: gops, index: index, timeBase: timeBase)
    }

    /// Whether a plan of this video may cut at any frame (`frameCuts`, `split`): every packet is
    /// one shown frame (no hidden frames, no field pairs).
    public static func cutsAtAnyFrame(_ index: VideoPacketIndex) -> Bool {
        index.records.allSatisfy(\.isShown)
    }

    /// The segments that start at `cuts`: packets, priming and the frames each keeps.
    /// `whole`: the one segment of a video with damaged timestamps (no partition check).
    static func build(_ cuts: [Cut], gops: GOPs, index: VideoPacketIndex, timeBase: Rational, whole: Bool = false) throws(MediaError) -> SegmentPlan {
        let records = index.records
        let (candidates, gopStart) = (gops.candidates, gops.start)
        var segments: [PlannedSegment] = []
        for (n, cut) in cuts.enumerated() {
            let start = cut.key
            let next = n + 1 < cuts.count ? cuts[n + 1] : nil
            let startPTS = cut.pts
            let endPTS = next?.pts
            let end = next.map { endPacket(before: $0, from: start, records: records, gopStart: gopStart) } ?? records.count
            var priming = start
            if n > 0 {
                let previousStart = cuts[n - 1].key
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
        let skipped = plan0Skipped(records, first: gops.first, startPTS: gopStart[gops.first]!)
        let plan = SegmentPlan(segments: segments, timeBase: timeBase, skippedLeadingFrames: skipped,
                               totalFrames: index.shownCount)
        let repeats = whole ? 0 : repeatedTimes(records)
        if !whole, plan.expectedFrames + skipped != plan.totalFrames || repeats > 0 {
            // Damaged timestamps: time ranges no longer partition the frames (or two frames claim
            // one time), and which frames the decoder shows in time order depends on the order it
            // shows them in. One segment from the first key frame to the end, from its earliest
            // time on.
            let stray = max(abs(plan.totalFrames - plan.expectedFrames - skipped), repeats)
            // From the earliest time any of its packets carries: the agent times frames by libav's
            // best guess, which may be a decode time.
            let key = cuts[0].key
            let earliest = records[key...].lazy.flatMap { [$0.pts, $0.dts] }.filter { $0 != noPTS }.min() ?? cuts[0].pts
            var one = try build([Cut(key: key, pts: min(earliest, cuts[0].pts))], gops: gops, index: index, timeBase: timeBase, whole: true)
            one.segments[0].containsCorruptPackets = true
            one.disorderedFrames = stray
            return one
        }
        return plan
    }

    /// Shown frames whose time another shown frame already has (a muxer that wrote one pts twice).
    static func repeatedTimes(_ records: [VideoPacketRecord]) -> Int {
        var seen = Set<Int64>(minimumCapacity: records.count)
        var repeats = 0
        for r in records where r.isShown && r.pts != noPTS {
            if !seen.insert(r.pts).inserted { repeats += 1 }
        }
        return repeats
    }

    /// Each cut at the candidate whose distance from the segment's start is closest to the target.
    private func greedyStarts(_ candidates: [Int], gopStart: [Int: Int64], target: Int64) -> [Int] {
        var starts = [candidates[0]]
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
        return starts
    }

    /// A multiple of `slots` near-equal parts (see the type's comment), as many as the key frames
    /// allow, each starting at the candidate nearest its ideal boundary that leaves a candidate
    /// for every boundary after it.
    private func balancedStarts(_ candidates: [Int], gopStart: [Int: Int64], end: Int64, target: Int64, grid: Int64?) -> [Int] {
        let origin = gopStart[candidates[0]]!
        let span = Double(max(1, end - origin))
        let shortest = Double(target) / 4
        let natural = max(1, Int((span / Double(target)).rounded()))
        var parts = slots * Int((Double(natural) / Double(slots)).rounded(.up))
        // On a grid, no more parts than grid cells: two boundaries rounded to one grid point
        // put the second off the grid (12 s on a 4 s grid for 2 slots was cut at 4, 6 and 8 s,
        // packaging segments of 4, 2, 2 and 4 s where 4, 4 and 4 were there).
        if let grid { parts = min(parts, max(1, Int((span / Double(grid)).rounded()))) }
        while parts > 1, parts > candidates.count || span / Double(parts) < shortest {
            parts = parts > slots && parts % slots == 0 ? parts - slots : parts - 1
        }
        var starts = [candidates[0]]
        var next = 1
        var previous = Double(origin)
        for i in 1..<max(parts, 1) {
            var ideal = Double(origin) + span * Double(i) / Double(parts)
            if let grid {
                ideal = Double(origin) + (span * Double(i) / Double(parts) / Double(grid)).rounded() * Double(grid)
                guard ideal > previous else { continue }  // the same grid point as the last boundary
                previous = ideal
            }
            let last = candidates.count - (parts - i)  // the latest candidate that leaves one per later boundary
            var best = next
            while best < last, abs(Double(gopStart[candidates[best + 1]]!) - ideal) < abs(Double(gopStart[candidates[best]]!) - ideal) {
                best += 1
            }
            starts.append(candidates[best])
            next = best + 1
        }
        return starts
    }

    /// Where a segment starts: the frame at `pts`, decoded from the key frame `key` (the start of
    /// its GOP, or a frame inside it: the frames before `pts` are decoded and dropped).
    struct Cut {
        var key: Int
        var pts: Int64
    }

    /// `count` parts of near-equal frame counts cut at any frame (the count `balancedStarts`
    /// chose, so never more segments than the key frames allow): each boundary at the frame that
    /// starts its share, decoded from its GOP's key frame; a boundary among an open GOP's leading
    /// pictures moves to the GOP's start.
    private func frameCuts(count: Int, records: [VideoPacketRecord], candidates: [Int], gopStart: [Int: Int64]) -> [Cut] {
        let origin = gopStart[candidates[0]]!
        let shown = records.map(\.pts).filter { $0 >= origin }.sorted()
        var cuts = [Cut(key: candidates[0], pts: origin)]
        var k = 0  // the GOP of the latest cut: boundaries only move forward
        for i in 1..<max(count, 1) {
            var pts = shown[min(shown.count - 1, Int((Double(shown.count) * Double(i) / Double(count)).rounded()))]
            while k + 1 < candidates.count, gopStart[candidates[k + 1]]! <= pts { k += 1 }
            let key = candidates[k]
            if pts < records[key].pts { pts = gopStart[key]! }
            guard pts > cuts.last!.pts else { continue }
            cuts.append(Cut(key: key, pts: pts))
        }
        return cuts
    }

    /// One past the last packet a segment ending before `next` needs: the next segment's key
    /// frame when it starts a GOP, else the last packet shown before `next.pts`.
    private static func endPacket(before next: Cut, from start: Int, records: [VideoPacketRecord], gopStart: [Int: Int64]) -> Int {
        guard next.pts != gopStart[next.key] else { return next.key }
        var after = next.key + 1  // the next key frame in decode order
        while after < records.count, !records[after].randomAccess.isBoundaryCandidate { after += 1 }
        let last = records[start..<after].indices.last { records[$0].isShown && records[$0].pts < next.pts }
        return (last ?? next.key) + 1
    }

    /// Shown frames no segment can produce: before the first key frame in decode order, or its
    /// undecodable leading pictures.
    private static func plan0Skipped(_ records: [VideoPacketRecord], first: Int, startPTS: Int64) -> Int {
        records.indices.filter { i in
            records[i].isShown && (i < first || records[i].pts < startPTS)
        }.count
    }
}
