import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
@testable import GopfarmService
import Testing
import TestSupport

/// The job store on a real SQLite file: migrations, hashed tokens, the recorder's events, and
/// what a restart may keep.
@Suite("Job store")
struct JobStoreTests {
    func makeStore() throws -> (JobStore, URL) {
        let dir = TestPaths.scratch("store")
        return (try JobStore(path: dir.appendingPathComponent("db.sqlite").path), dir)
    }

    func job(_ id: String, owner: String = "alice") -> JobRow {
        JobRow(id: id, seq: 0, owner: owner, priority: .normal, state: .queued, input: "/in.mp4", outputName: "out.mp4", outputPath: nil,
               submission: JobStore.json(JobSubmission(input: "/in.mp4", settings: EncodeSettings())), submittedAt: Date(),
               startedAt: nil, finishedAt: nil, error: nil, warnings: "[]", segmentsTotal: 0, framesTotal: 0, segmentsDone: 0,
               framesDone: 0, outputFrames: nil, outputBytes: nil)
    }

    @Test func tokensAreStoredOnlyAsHashes() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        let token = try store.createToken(name: "alice", role: .producer)
        #expect(try store.caller(token: token) == Caller(name: "alice", role: .producer))
        #expect(try store.caller(token: token + "x") == nil)
        let raw = try Data(contentsOf: dir.appendingPathComponent("db.sqlite"))
            + ((try? Data(contentsOf: dir.appendingPathComponent("db.sqlite-wal"))) ?? Data())
        #expect(raw.range(of: Data(token.utf8)) == nil, "the token itself is in the database file")
    }

    @Test func eachOpeningIsANewRunAndJobsKeepTheirOrder() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.insert(job("a"))
        try store.insert(job("b", owner: "bob"))
        #expect(try store.jobs(owner: nil).map(\.id) == ["b", "a"])
        #expect(try store.jobs(owner: "bob").map(\.id) == ["b"])
        let again = try JobStore(path: dir.appendingPathComponent("db.sqlite").path)
        #expect(again.run == store.run + 1)
        #expect(try again.unfinishedJobs().map(\.id) == ["a", "b"])
    }

    @Test func recorderEventsAndRestorableSegments() throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try store.insert(job("j"))
        try store.pool.write { db in
            for n in 0..<3 {
                try db.execute(sql: "INSERT INTO segments (jobId, idx, state, expectedFrames, startPTS, primed) VALUES ('j', ?, 'pending', 10, ?, 0)",
                               arguments: [n, n * 10])
            }
        }
        let finished = FinishedBox()
        let recorder = StoreRecorder(store: store) { id, _ in finished.append(id) }
        func completed(_ n: Int, bytes: Int, write: Bool) throws -> CompletedSegment {
            let payload = Data(repeating: UInt8(n), count: bytes)
            let url = dir.appendingPathComponent("\(n).gfps")
            if write { try payload.write(to: url) }
            let result = SegmentResult(job: "j", segment: n, attempt: 1, frames: 10, firstPTS: Int64(n * 10), lastPTS: Int64(n * 10 + 9),
                                       reorderDepth: 0, corruptFrames: [], payloadSHA256: SHA256.hex(payload), payloadBytes: bytes,
                                       decodeSeconds: 0, encodeSeconds: 0)
            return CompletedSegment(result: result, path: url, agent: "a1")
        }
        recorder.record([
            .assigned(job: "j", segment: 0, attempt: 1, agent: "a1", speculative: false, extractSeconds: 0.01, sentBytes: 1000),
            .assigned(job: "j", segment: 1, attempt: 1, agent: "a1", speculative: false, extractSeconds: 0.02, sentBytes: 2000),
            .assigned(job: "j", segment: 2, attempt: 1, agent: "a1", speculative: false, extractSeconds: 0.03, sentBytes: 3000),
            .completed(job: "j", segment: try completed(0, bytes: 100, write: true), seconds: 1),
            .completed(job: "j", segment: try completed(1, bytes: 100, write: false), seconds: 1),  // spool file lost
            .requeued(job: "j", segment: 2, reason: "lease expired"),
            .jobFinished(job: "j", outcome: .failed("test")),
        ])
        // Only the segment whose payload is still in the spool may be kept after a restart.
        #expect(try store.completedSegments("j").keys.sorted() == [0])
        #expect(try store.job("j")?.segmentsDone == 2)
        #expect(finished.ids == ["j"])
        let attempts = try store.attemptsByRun(job: "j")
        #expect(attempts.map(\.segment) == [0, 1, 2] && attempts.allSatisfy { $0.run == store.run })
        #expect(attempts.first?.doneInRun == store.run)
        // Every attempt's timing is there for `status --json` and `bench`.
        let timings = try #require(try store.timings("j"))
        #expect(timings.attempts.map(\.outcome) == ["done", "done", "requeued"])
        #expect(timings.attempts.map(\.sentBytes) == [1000, 2000, 3000])
        #expect(timings.attempts.map(\.returnedBytes) == [100, 100, nil])
        #expect(timings.attempts[2].extractSeconds == 0.03 && timings.attempts[2].ended != nil)
        try store.updatePhases("j") { $0.stitchSeconds = 1.5 }
        try store.updatePhases("j") { $0.planSeconds = 0.25 }
        let phases = try #require(try store.timings("j"))
        #expect(phases.stitchSeconds == 1.5 && phases.planSeconds == 0.25 && phases.attempts.count == 3)
    }
    /// A job's view reads the analysis without its per-frame series: decoding the whole
    /// document (9.5 MB for an 80-minute title) made each view of a long job cost most of a
    /// second. A row stored before the summary column is decoded whole once and summarised.
    @Test func aJobsViewReadsTheAnalysisSummary() async throws {
        let (store, dir) = try makeStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await store.insert(job("a"))
        var analysis = JobAnalysis(settings: AnalysisSettings(), frames: 3, duration: 0.12, scenes: [], transitions: [], black: [], frozen: [],
                                   statistics: .init(lumaMean: 100, lumaMin: 16, lumaMax: 235, colourfulness: 1, motion: 2, sharpness: 3), segments: [])
        var series = FrameSeries()
        series.pts = [0, 1, 2]
        analysis.series = series
        try store.saveAnalysis("a", analysis)
        var expected = analysis
        expected.series = nil
        #expect(try await store.analysisSummary("a") == expected)
        #expect(try store.analysis("a")?.series?.pts == [0, 1, 2], "the whole record stays for /analysis")
        // A row written before the column existed.
        try await store.pool.write { db in try db.execute(sql: "UPDATE analyses SET summary = NULL") }
        #expect(try await store.analysisSummary("a") == expected)
        let kept = try await store.pool.read { db in try Data.fetchOne(db, sql: "SELECT summary FROM analyses WHERE jobId = 'a'") }
        #expect(kept != nil, "the summary is kept after the first read")
    }
}

final class FinishedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _ids: [String] = []
    var ids: [String] { lock.withLock { _ids } }
    func append(_ id: String) { lock.withLock { _ids.append(id) } }

}
