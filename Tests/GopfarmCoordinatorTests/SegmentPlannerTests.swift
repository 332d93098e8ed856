import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

/// Plans on synthetic packet indexes whose structure we control exactly.
@Suite("Segment planner")
struct SegmentPlannerTests {
    let tb = Rational(1, 25)  // one tick per frame at 25 fps

    /// Closed GOPs of `gop` frames with B-frames (decode order I P B B …, pts reordered).
    func closedIndex(frames: Int, gop: Int) -> VideoPacketIndex {
        var index = VideoPacketIndex()
        for start in stride(from: 0, to: frames, by: gop) {
            let n = min(gop, frames - start)
            // decode order: I(0), P(3), B(1), B(2), P(6), B(4), B(5) …
            var order: [Int] = [0]
            var k = 1
            while k < n {
                let p = min(k + 2, n - 1)
                order.append(p)
                for b in k..<p { order.append(b) }
                k = p + 1
            }
            for (i, f) in order.enumerated() {
                index.records.append(VideoPacketRecord(pts: Int64(start + f), dts: Int64(start + i - 1), position: Int64(index.count * 100),
                                                       size: 100, randomAccess: i == 0 ? .closed : .none, discard: false, corrupt: false))
            }
        }
        return index
    }

    @Test func everyFrameInExactlyOneSegment() throws {
        let index = closedIndex(frames: 1000, gop: 50)
        let plan = try SegmentPlanner(targetSeconds: 10).plan(index, timeBase: tb)
        #expect(plan.segments.count == 4)  // 1000 frames = 40 s at 25 fps, cut every 10 s
        #expect(plan.expectedFrames == 1000)
        #expect(plan.segments.map(\.expectedFrames) == [250, 250, 250, 250])
        for (a, b) in zip(plan.segments, plan.segments.dropFirst()) {
            #expect(a.endPTS == b.startPTS)
            #expect(a.endPacket == b.startPacket)
            #expect(!b.isPrimed)
        }
        #expect(plan.segments.last?.endPTS == nil)
    }

    @Test func fillsTheLastRoundOnEverySlot() throws {
        // 30 s at 10 s would be 3 segments: on 2 slots, one idles through the third round.
        let index = closedIndex(frames: 750, gop: 25)
        let two = try SegmentPlanner(targetSeconds: 10, slots: 2).plan(index, timeBase: tb)
        #expect(two.segments.count == 4)
        #expect(two.segments.map(\.expectedFrames).allSatisfy { (175...200).contains($0) })
        #expect(two.expectedFrames == 750)
        // 60 s on 8 slots: 8 parts of 7.5 s (key frames every second, so within a second).
        let long = closedIndex(frames: 1500, gop: 25)
        let eight = try SegmentPlanner(targetSeconds: 10, slots: 8).plan(long, timeBase: tb)
        #expect(eight.segments.count == 8)
        #expect(eight.segments.map(\.expectedFrames).allSatisfy { (175...200).contains($0) })
        // Never below a quarter of the target: 8 s on 8 slots at 10 s gives 3 parts, not 8.
        let short = try SegmentPlanner(targetSeconds: 10, slots: 8).plan(closedIndex(frames: 200, gop: 25), timeBase: tb)
        #expect(short.segments.count == 3)
        #expect(short.expectedFrames == 200)
    }

    /// A ladder's packaging grid: the balanced cuts move to whole multiples of it, so its
    /// packaging segments end early only at the last cut.
    @Test func balancedCutsFollowAPackagingGrid() throws {
        // 30 s, key frames every 0.5 s, 2 slots at 10 s: 4 parts at 7.5, 15, 22.5 s without a grid.
        let index = closedIndex(frames: 750, gop: 12)
        // Without a grid the parts are cut at any frame (see `balancedCutsFallBetweenKeyFrames`).
        let free = try SegmentPlanner(targetSeconds: 10, slots: 2).plan(index, timeBase: tb)
        #expect(free.segments.dropFirst().map(\.startPTS) == [188, 375, 563])
        let gridded = try SegmentPlanner(targetSeconds: 10, slots: 2, gridSeconds: 4).plan(index, timeBase: tb)
        #expect(gridded.segments.dropFirst().map(\.startPTS) == [204, 396, 600])  // the key frames nearest 8, 16, 24 s
        #expect(gridded.expectedFrames == 750)
        // 12 s, key frames every 2 s, 2 slots at 4 s on a 4 s grid: three parts on the grid, not a
        // fourth boundary off it (4, 6 and 8 s made packaging segments of 4, 2, 2 and 4 s).
        let twelve = try SegmentPlanner(targetSeconds: 4, slots: 2, gridSeconds: 4).plan(closedIndex(frames: 300, gop: 50), timeBase: tb)
        #expect(twelve.segments.map(\.startPTS) == [0, 100, 200])
        // A finer grid leaves the four parts the slots want, each boundary on it.
        let fine = try SegmentPlanner(targetSeconds: 4, slots: 2, gridSeconds: 2).plan(closedIndex(frames: 300, gop: 50), timeBase: tb)
        #expect(fine.segments.count == 4 && fine.segments.allSatisfy { $0.startPTS % 50 == 0 })
    }

    @Test func keyFramesSparserThanTheSlotsWant() throws {
        // 8 s with key frames every 2 s: 4 possible segments. 2 slots get 4; 3 slots get 3, not 4.
        let index = closedIndex(frames: 200, gop: 50)
        let two = try SegmentPlanner(targetSeconds: 1, slots: 2).plan(index, timeBase: tb)
        #expect(two.segments.map(\.startPTS) == [0, 50, 100, 150])
        let three = try SegmentPlanner(targetSeconds: 1, slots: 3).plan(index, timeBase: tb)
        #expect(three.segments.count == 3 && three.expectedFrames == 200)
    }

    @Test func balancedCutsFallBetweenKeyFrames() throws {
        // Key frames every 3.6 s: the 7.5 s boundaries fall inside GOPs, at the frame that
        // starts each quarter of the frames.
        let index = closedIndex(frames: 750, gop: 90)
        let plan = try SegmentPlanner(targetSeconds: 10, slots: 2).plan(index, timeBase: tb)
        #expect(plan.segments.map(\.startPTS) == [0, 188, 375, 563])
        #expect(plan.segments.map(\.expectedFrames) == [188, 187, 188, 187])
        #expect(plan.expectedFrames == 750)
        for (a, b) in zip(plan.segments, plan.segments.dropFirst()) {
            #expect(a.endPTS == b.startPTS)
            // b is decoded from the key frame of the GOP its first frame is in …
            #expect(index.records[b.startPacket].randomAccess == .closed)
            #expect(index.records[b.startPacket].pts == b.startPTS / 90 * 90)
            // … and a ends with every packet its frames need: each frame before b's start that
            // a's range holds is in it, and the packets after it show only later frames.
            let kept = index.records[a.primingPacket..<a.endPacket].filter { $0.pts >= a.startPTS && $0.pts < b.startPTS }
            #expect(kept.count == a.expectedFrames)
            #expect(index.records[a.endPacket...].allSatisfy { $0.pts >= b.startPTS })
            #expect(a.endPacket > b.startPacket)  // they share the GOP b starts in
        }
    }

    @Test func balancedCutsStayOnKeyFramesWhereAFrameIsNotOnePacket() throws {
        // One hidden packet (decoded, never shown, as VP9's alternate reference frames): the
        // cuts stay at key frames, the nearest ones to 7.5 s.
        var index = closedIndex(frames: 750, gop: 90)
        index.records[5].hidden = true
        let plan = try SegmentPlanner(targetSeconds: 10, slots: 2).plan(index, timeBase: tb)
        #expect(plan.segments.dropFirst().allSatisfy { $0.startPTS % 90 == 0 })
        #expect(plan.segments.map(\.startPTS) == [0, 180, 360, 540])
        #expect(plan.expectedFrames == 749)
        // A ladder's grid asks for key frame boundaries too.
        let gridded = try SegmentPlanner(targetSeconds: 10, slots: 2, gridSeconds: 4).plan(closedIndex(frames: 750, gop: 90), timeBase: tb)
        #expect(gridded.segments.dropFirst().allSatisfy { $0.startPTS % 90 == 0 })
    }

    @Test func splitCutsOneSegmentAndMovesTheRestUp() throws {
        // Segments of 270 frames at key frames every 90 frames; segment 2 (frames 540-809) is
        // cut after 100 frames, inside the GOP that starts at 630.
        let index = closedIndex(frames: 1000, gop: 90)
        let plan = try SegmentPlanner(targetSeconds: 10).plan(index, timeBase: tb)
        let split = try #require(try SegmentPlanner.split(plan, PlanSplit(segment: 2, frames: 100), index: index))
        #expect(split.segments.count == plan.segments.count + 1)
        #expect(split.segments.map(\.index) == Array(0..<split.segments.count))
        #expect(split.expectedFrames == plan.expectedFrames)
        #expect(split.segments[2].startPTS == plan.segments[2].startPTS)
        #expect(split.segments[2].expectedFrames == 100)
        #expect(split.segments[3].startPTS == plan.segments[2].startPTS + 100)
        #expect(split.segments[3].expectedFrames == plan.segments[2].expectedFrames - 100)
        #expect(index.records[split.segments[3].startPacket].randomAccess == .closed)
        // The segments around the cut are the plan's, one index later after it.
        #expect(Array(split.segments[0..<2]) == Array(plan.segments[0..<2]))
        for (a, b) in zip(split.segments[4...], plan.segments[3...]) {
            var moved = b
            moved.index += 1
            #expect(a == moved)
        }
        for (a, b) in zip(split.segments, split.segments.dropFirst()) {
            #expect(a.endPTS == b.startPTS)
            let kept = index.records[a.primingPacket..<a.endPacket].filter { $0.pts >= a.startPTS && $0.pts < b.startPTS }
            #expect(kept.count == a.expectedFrames)
        }
        // Replayed in order after a restart, splits give the same plan.
        let twice = try #require(try SegmentPlanner.split(split, PlanSplit(segment: 4, frames: 30), index: index))
        let replayed = try SegmentPlanner.splitting(plan, [PlanSplit(segment: 2, frames: 100), PlanSplit(segment: 4, frames: 30)], index: index)
        #expect(replayed.segments == twice.segments)
        // No cut on a segment's first frame, past its last, or in a plan it does not fit.
        #expect(try SegmentPlanner.split(plan, PlanSplit(segment: 2, frames: 0), index: index) == nil)
        #expect(try SegmentPlanner.split(plan, PlanSplit(segment: 2, frames: plan.segments[2].expectedFrames), index: index) == nil)
        #expect(throws: MediaError.self) { try SegmentPlanner.splitting(plan, [PlanSplit(segment: 9, frames: 10)], index: index) }
    }

    @Test func cutsAtTheNearestKeyFrame() throws {
        let index = closedIndex(frames: 600, gop: 90)  // key frames every 3.6 s
        let plan = try SegmentPlanner(targetSeconds: 10).plan(index, timeBase: tb)
        // 10.8 s is nearer to 10 s than 7.2 s is.
        #expect(plan.segments.first?.endPTS == 270)
    }

    @Test func tinyTailMergesIntoItsNeighbour() throws {
        let index = closedIndex(frames: 260, gop: 50)  // last GOP is 10 frames = 0.4 s
        let plan = try SegmentPlanner(targetSeconds: 2).plan(index, timeBase: tb)
        #expect(plan.segments.last!.expectedFrames == 60)
        #expect(plan.expectedFrames == 260)
    }

    @Test func falseKeyFramesAreNeverBoundaries() throws {
        var index = closedIndex(frames: 200, gop: 100)
        index.records[50].randomAccess = .falseKey
        let plan = try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: tb)
        #expect(plan.segments.map(\.startPacket) == [0, 100])
    }

    @Test func openGOPSegmentsArePrimedWithThePreviousGOP() throws {
        // GOP 2 starts with an open key frame whose two leading pictures are shown before it.
        var index = VideoPacketIndex()
        func add(_ pts: Int64, _ kind: RandomAccessKind) {
            index.records.append(VideoPacketRecord(pts: pts, dts: Int64(index.count), position: Int64(index.count), size: 10,
                                                   randomAccess: kind, discard: false, corrupt: false))
        }
        add(0, .closed); for p in 1...9 { add(Int64(p), .none) }  // GOP 1: frames 0…9
        add(12, .open); add(10, .none); add(11, .none); for p in 13...19 { add(Int64(p), .none) }  // GOP 2
        let plan = try SegmentPlanner(targetSeconds: 0.3).plan(index, timeBase: tb)
        #expect(plan.segments.count == 2)
        let second = plan.segments[1]
        #expect(second.startPTS == 10)  // leading pictures belong to the open GOP's segment
        #expect(second.isPrimed && second.primingPacket == 0)
        #expect(plan.segments[0].expectedFrames == 10 && second.expectedFrames == 10)
    }

    @Test func framesHiddenByAnEditListAreNotPlanned() throws {
        var index = closedIndex(frames: 100, gop: 50)
        index.records[2].discard = true  // a B-frame before the edit point
        let plan = try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: tb)
        #expect(plan.expectedFrames == 99)
        #expect(plan.totalFrames == 99)
    }

    @Test func noKeyFrameIsAnError() {
        var index = closedIndex(frames: 10, gop: 10)
        index.records[0].randomAccess = .falseKey
        #expect(throws: MediaError.self) { try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: tb) }
    }

    @Test func hiddenPacketsAreNotFrames() throws {
        // A second field (or a hidden alt-ref) after every shown packet: twice the packets.
        var index = VideoPacketIndex()
        for f in 0..<100 {
            let key: RandomAccessKind = f % 25 == 0 ? .closed : .none
            index.records.append(VideoPacketRecord(pts: Int64(f), dts: Int64(2 * f), position: Int64(index.count), size: 10,
                                                   randomAccess: key, discard: false, corrupt: false))
            index.records.append(VideoPacketRecord(pts: Int64(f), dts: Int64(2 * f + 1), position: Int64(index.count), size: 10,
                                                   randomAccess: .none, discard: false, corrupt: false, hidden: true))
        }
        let plan = try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: tb)
        #expect(plan.totalFrames == 100)
        #expect(plan.segments.map(\.expectedFrames) == [25, 25, 25, 25])
        // A segment holds both packets of its last frame.
        #expect(plan.segments.map(\.endPacket) == [50, 100, 150, 200])
    }

    @Test func anUnannouncedIFrameOpensAFileCutMidStream() throws {
        // Packets before the first I-frame cannot be decoded; an I-frame no flag or SEI
        // announces starts the file, later ones are never cut points.
        var index = VideoPacketIndex()
        for f in 0..<100 {
            let kind: RandomAccessKind = f == 5 || f == 55 ? .intra : (f == 50 ? .closed : .none)
            index.records.append(VideoPacketRecord(pts: Int64(f), dts: Int64(f), position: Int64(f), size: 10,
                                                   randomAccess: kind, discard: false, corrupt: false))
        }
        let plan = try SegmentPlanner(targetSeconds: 1).plan(index, timeBase: tb)
        #expect(plan.segments.first?.startPacket == 5)
        #expect(plan.skippedLeadingFrames == 5)
        #expect(plan.segments.map(\.startPacket) == [5, 50])
        #expect(plan.expectedFrames == 95)
    }
}
