import GopfarmCommon

/// Cutting one segment of a running job's plan in two (the dispatcher's splits, `DispatchSplitter`).
extension SegmentPlanner {
    /// `plan` with segment `split.segment` cut in two after its first `split.frames` frames, the
    /// second part decoded from the key frame of its GOP (see `frameCuts`); later segments move
    /// up one index. For a video where `cutsAtAnyFrame`; nil where the cut would fall on the
    /// segment's start or among an open GOP's leading pictures.
    public static func split(_ plan: SegmentPlan, _ split: PlanSplit, index: VideoPacketIndex) throws(MediaError) -> SegmentPlan? {
        guard plan.segments.indices.contains(split.segment), split.frames > 0 else { return nil }
        let records = index.records
        var gops = try GOPs(index)
        var cuts = plan.segments.map { Cut(key: $0.startPacket, pts: $0.startPTS) }
        let segment = plan.segments[split.segment]
        let shown = records[segment.primingPacket..<segment.endPacket].lazy
            .filter { r in r.isShown && r.pts >= segment.startPTS && segment.endPTS.map { r.pts < $0 } ?? true }
            .map(\.pts).sorted()
        guard split.frames < shown.count else { return nil }
        var pts = shown[split.frames]
        guard let key = gops.candidates.last(where: { gops.start[$0]! <= pts }) else { return nil }
        if pts < records[key].pts { pts = gops.start[key]! }
        guard pts > segment.startPTS else { return nil }
        cuts.insert(Cut(key: key, pts: pts), at: split.segment + 1)
        gops.startAtFirstKeyFrame(&cuts)
        return try build(cuts, gops: gops, index: index, timeBase: plan.timeBase)
    }

    /// `plan` with each of `splits` applied in order (a job's splits, replayed after a restart).
    public static func splitting(_ plan: SegmentPlan, _ splits: [PlanSplit], index: VideoPacketIndex) throws(MediaError) -> SegmentPlan {
        var plan = plan
        for s in splits {
            guard let next = try split(plan, s, index: index) else {
                throw MediaError(.planFailed, "segment \(s.segment) of the job's plan cannot be cut after \(s.frames) frames (the input changed since it was planned)")
            }
            plan = next
        }
        return plan
    }
}
