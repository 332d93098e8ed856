/// Which farm segments the probe encodes: a few, spread across the title, from different scenes.
///
/// The rule, greedy and deterministic:
/// 1. Segments shorter than half the median segment (a short tail) are left out unless nothing
///    else is left: their rate is dominated by the first key frame.
/// 2. `count` targets sit at the middles of `count` equal parts of the title (1/6, 1/2, 5/6 of
///    its frames for 3).
/// 3. For each target in turn, the segment whose middle frame is nearest to it, among those
///    whose scene (the scene its middle frame falls in) no earlier pick has, else among all
///    not yet picked. Content varies more between scenes than within one, so a hull from three
///    scenes describes the title better than one from three parts of the same shot.
///
/// Without scene boundaries every segment counts as its own scene: the picks are the segments
/// nearest the targets.
public enum ProbeSample {
    /// Indices (ascending) of the segments to probe. `frameCounts[i]` is segment `i`'s frame
    /// count, in title order; `sceneStarts` are the first frames of scenes, in title frames.
    public static func segments(frameCounts: [Int], sceneStarts: [Int]? = nil,
                                count: Int = LadderDefaults.probeSegments) -> [Int] {
        guard count > 0 else { return [] }
        var starts: [Int] = []
        var total = 0
        for n in frameCounts {
            starts.append(total)
            total += max(0, n)
        }
        let nonEmpty = frameCounts.indices.filter { frameCounts[$0] > 0 }
        guard !nonEmpty.isEmpty else { return [] }
        let sortedCounts = nonEmpty.map { frameCounts[$0] }.sorted()
        let median = sortedCounts[sortedCounts.count / 2]
        let long = nonEmpty.filter { frameCounts[$0] * 2 >= median }
        let eligible = long.isEmpty ? nonEmpty : long
        if eligible.count <= count { return eligible }

        let middle = { (i: Int) in Double(starts[i]) + Double(frameCounts[i]) / 2 }
        let cuts = (sceneStarts ?? []).sorted()
        let scene = { (i: Int) -> Int in
            guard sceneStarts != nil else { return i }
            let m = middle(i)
            return cuts.reduce(0) { Double($1) <= m ? $0 + 1 : $0 }
        }
        var picked: [Int] = []
        var scenesTaken = Set<Int>()
        for k in 0..<count {
            let target = Double(total) * Double(2 * k + 1) / Double(2 * count)
            let open = eligible.filter { !picked.contains($0) }
            let fresh = open.filter { !scenesTaken.contains(scene($0)) }
            let pool = fresh.isEmpty ? open : fresh
            // min(by:) keeps the first of equals: the earlier segment wins a tie.
            guard let best = pool.min(by: { abs(middle($0) - target) < abs(middle($1) - target) }) else { break }
            picked.append(best)
            scenesTaken.insert(scene(best))
        }
        return picked.sorted()
    }
}
