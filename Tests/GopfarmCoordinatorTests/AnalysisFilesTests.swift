import Foundation
@testable import GopfarmCommon
@testable import GopfarmCoordinator
import Testing

@Suite("The analysis document: its per-frame series written column by column")
struct AnalysisFilesTests {
    /// Frames whose values are awkward for a number writer: missing scores, tiny and huge floats,
    /// whole floats, the ends of the 8-bit range, 64-bit times.
    static func analysis(frames n: Int) -> JobAnalysis {
        var rng = SystemRandomNumberGenerator()
        var s = FrameSeries()
        let awkward: [Float] = [0, -0.0, 1, 3, 0.1, 1e-5, 1.17549435e-38, 3.4028235e38, 255, 127.5, 1 / 3]
        for i in 0..<n {
            s.pts.append(Int64(i) * 1001 + (i % 7 == 0 ? Int64.max / 2 : 0))
            s.score.append(i % 5 == 0 ? nil : Float.random(in: 0...255, using: &rng))
            s.motion.append(i % 3 == 0 ? nil : awkward[i % awkward.count])
            s.lumaMean.append(Float.random(in: 0...255, using: &rng))
            s.lumaMin.append(UInt8(i % 256))
            s.lumaMax.append(UInt8(255 - i % 256))
            s.blackRatio.append(awkward[(i + 3) % awkward.count])
            s.colourfulness.append(Float(bitPattern: UInt32.random(in: 0..<0x7F00_0000, using: &rng)))
            s.sharpness.append(Float.random(in: 0...10_000, using: &rng))
        }
        let settings = AnalysisSettings()
        return JobAnalysis(
            settings: settings, frames: n, duration: Double(n) / 30,
            scenes: [JobAnalysis.Scene(index: 0, startFrame: 0, endFrame: n, start: 0, end: Double(n) / 30, kind: .start, score: nil)],
            transitions: [], black: [], frozen: [],
            statistics: JobAnalysis.Statistics(lumaMean: 100, lumaMin: 0, lumaMax: 255, colourfulness: 10, motion: 2, sharpness: 50),
            segments: [], series: s)
    }

    @Test func readsBackAsTheSameValues() throws {
        let a = Self.analysis(frames: 5000)
        let data = try AnalysisFiles.data(a)
        #expect(try JSONDecoder().decode(JobAnalysis.self, from: data) == a)
    }

    /// The same document `JSONEncoder` makes, key for key and number for number.
    @Test func isTheDocumentJSONEncoderMakes() throws {
        let a = Self.analysis(frames: 3000)
        let ours = try JSONSerialization.jsonObject(with: AnalysisFiles.data(a)) as? NSDictionary
        let theirs = try JSONSerialization.jsonObject(with: AnalysisFiles.encoder().encode(a)) as? NSDictionary
        #expect(ours != nil)
        #expect(ours == theirs)
    }

    @Test func withoutASeriesItIsJSONEncodersBytes() throws {
        var a = Self.analysis(frames: 10)
        a.series = nil
        #expect(try AnalysisFiles.data(a) == AnalysisFiles.encoder().encode(a))
    }

    @Test func anEmptySeriesIsKept() throws {
        var a = Self.analysis(frames: 0)
        a.series = FrameSeries()
        #expect(try JSONDecoder().decode(JobAnalysis.self, from: AnalysisFiles.data(a)).series == FrameSeries())
    }

    @Test func aNumberJSONCannotHoldIsRefused() {
        var a = Self.analysis(frames: 10)
        a.series?.sharpness[4] = .nan
        #expect(throws: EncodingError.self) { try AnalysisFiles.data(a) }
        a.series?.sharpness[4] = 1
        a.series?.score[6] = -.infinity
        #expect(throws: EncodingError.self) { try AnalysisFiles.data(a) }
    }

    @Test func aFileIsReplacedWholeAndNothingIsLeftBeside() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("analysis-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("out.mp4.analysis.json")
        try Data("old".utf8).write(to: url)
        let a = Self.analysis(frames: 40_000)  // several chunks
        try AnalysisFiles.write(a, to: url)
        #expect(try AnalysisFiles.read(url) == a)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.mp4.analysis.json"])

        var bad = a
        bad.series?.lumaMean[39_999] = .infinity
        #expect(throws: EncodingError.self) { try AnalysisFiles.write(bad, to: url) }
        #expect(try AnalysisFiles.read(url) == a, "a failed write leaves the previous file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.mp4.analysis.json"])
    }
}
