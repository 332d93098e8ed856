import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

@Suite("Ladder probe grid and sample")
struct LadderProbeTests {
    @Test func fullHDProbesEveryStandardHeightAtEveryCRF() throws {
        let grid = try ProbeGrid(sourceWidth: 1920, sourceHeight: 1080)
        #expect(grid.resolutions.map(\.height) == LadderDefaults.probeHeights.sorted(by: >))
        #expect(grid.crfs == LadderDefaults.probeCRFs.sorted())
        #expect(grid.encodes.count == grid.resolutions.count * grid.crfs.count)
        #expect(grid.resolutions.first == ProbeGrid.Resolution(width: 1920, height: 1080))
        #expect(grid.resolutions.contains(ProbeGrid.Resolution(width: 1280, height: 720)))
        for r in grid.resolutions {
            #expect(r.width % 2 == 0)
            // The aspect holds to within the rounding to an even width.
            #expect(abs(Double(r.width) / Double(r.height) - 16.0 / 9) * Double(r.height) <= 1.0, "\(r)")
        }
    }

    @Test func neverUpscalesAndAlwaysCompares() throws {
        let sd = try ProbeGrid(sourceWidth: 1024, sourceHeight: 576)
        #expect(sd.resolutions.map(\.height) == [540, 360, 240])
        // The source's own height where no standard one comes within 10 % of it.
        #expect(try ProbeGrid(sourceWidth: 640, sourceHeight: 480).resolutions.map(\.height) == [480, 360, 240])
        #expect(sd.resolutions.map(\.width) == [960, 640, 426])
        // One standard height fits: the source's own is added.
        let small = try ProbeGrid(sourceWidth: 480, sourceHeight: 270)
        #expect(small.resolutions.map(\.height) == [270, 240])
        // None fits: the source's height and its half.
        let tiny = try ProbeGrid(sourceWidth: 320, sourceHeight: 181)
        #expect(tiny.resolutions.map(\.height) == [180, 90])
        #expect(tiny.resolutions.allSatisfy { $0.width % 2 == 0 && $0.height % 2 == 0 })
        // A portrait source keeps its aspect too.
        let portrait = try ProbeGrid(sourceWidth: 1080, sourceHeight: 1920)
        #expect(portrait.resolutions.first == ProbeGrid.Resolution(width: 608, height: 1080))
    }

    /// A choice the probe measured as costlier than the fixed ladder is kept, and the job says so.
    @Test func aCostlierChoiceIsSaid() {
        var choice = LadderChoice(sampleSegments: [0], sampleSeconds: 1, points: [], reference: [], referenceNames: [], chosen: [], rungs: [],
                                  bdRateAgainstReference: -12)
        #expect(choice.warnings.isEmpty)
        choice.bdRateAgainstReference = nil
        #expect(choice.warnings.isEmpty)
        choice.bdRateAgainstReference = 0.6
        #expect(choice.warnings == ["the automatic ladder measured 0.6 % more bits than the fixed ladder \(LadderProbe.reference) at equal PSNR on the probe's sample (ladder.html draws both); give --ladder with rungs for that one"])
    }

    @Test func refusesAbsurdInput() {
        #expect(throws: MediaError.self) { try ProbeGrid(sourceWidth: 0, sourceHeight: 1080) }
        #expect(throws: MediaError.self) { try ProbeGrid(sourceWidth: 1920, sourceHeight: 1080, crfs: []) }
        #expect(throws: MediaError.self) { try ProbeGrid(sourceWidth: 1920, sourceHeight: 1080, crfs: [23, 70]) }
    }

    @Test func sampleSpreadsOverTheTitle() {
        let picks = ProbeSample.segments(frameCounts: Array(repeating: 100, count: 12))
        #expect(picks.count == LadderDefaults.probeSegments)
        // One pick in each third of the title.
        #expect(picks.map { $0 / 4 } == [0, 1, 2], "\(picks)")
        #expect(ProbeSample.segments(frameCounts: Array(repeating: 100, count: 12), count: 1) == [5])
    }

    @Test func samplePrefersDifferentScenes() {
        // Segments 0…8 are one long shot, 9, 10 and 11 each a scene of their own.
        let counts = Array(repeating: 100, count: 12)
        let picks = ProbeSample.segments(frameCounts: counts, sceneStarts: [0, 900, 1000, 1100])
        #expect(picks.count == 3)
        #expect(picks.filter { $0 <= 8 }.count == 1, "\(picks)")
        // Without the scenes, the same title is sampled by position only.
        #expect(ProbeSample.segments(frameCounts: counts).filter { $0 <= 8 }.count == 2)
    }

    @Test func sampleSkipsAShortTailAndTakesAllOfAShortTitle() {
        #expect(ProbeSample.segments(frameCounts: [100, 100, 100, 100, 12], count: 4) == [0, 1, 2, 3])
        #expect(ProbeSample.segments(frameCounts: [100, 12]) == [0])
        #expect(ProbeSample.segments(frameCounts: [100, 90, 100]) == [0, 1, 2])
        #expect(ProbeSample.segments(frameCounts: [7]) == [0])
        #expect(ProbeSample.segments(frameCounts: []).isEmpty)
        #expect(ProbeSample.segments(frameCounts: [0, 0]).isEmpty)
    }
}
