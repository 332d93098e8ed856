import Foundation
import Testing
import TestSupport

/// The generated clip that content analysis is scored against must itself be right: ffmpeg's
/// own detectors, run on the encoded file, have to agree with the truth it declares.
@Suite("Truth clip")
struct TruthClipTests {
    @Test("its black and frozen stretches are exactly what blackdetect and freezedetect find, and scdet sees no other change")
    func truthHolds() throws {
        let clip = try TruthClip.make()
        #expect(try FFmpegOracle.countFrames(clip.path) == clip.frames)
        #expect(clip.frames == 1500 && clip.hardCuts.count == 17 && clip.transitions.count == 5)
        #expect(clip.black.count == 3 && clip.frozen.count == 2)
        let verification = try clip.verify()
        print(verification)
        #expect(verification.problems.isEmpty, "\(verification)")
    }

    /// Makes and checks the benchmark clip (GOPFARM_TRUTH_BLOCKS blocks of 60 s), leaving it and
    /// its `.truth.json` in .build/test-fixtures for bench/compare-peers.sh --truth.
    @Test("a long clip holds its truth too", .enabled(if: ProcessInfo.processInfo.environment["GOPFARM_TRUTH_BLOCKS"] != nil,
                                                       "set GOPFARM_TRUTH_BLOCKS to make the benchmark clip"))
    func longClip() throws {
        let blocks = Int(ProcessInfo.processInfo.environment["GOPFARM_TRUTH_BLOCKS"] ?? "") ?? 20
        let clip = try TruthClip.make(blocks: blocks)
        let verification = try clip.verify()
        print(verification)
        #expect(verification.problems.isEmpty, "\(verification)")
    }
}
