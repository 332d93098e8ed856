import Foundation
import GopfarmCommon
import GopfarmCoordinator
@testable import GopfarmService
import Testing
import TestSupport

/// The store moves a job only by compare-and-set, so racing writers cannot both move it.
@Suite("Job store states")
struct JobStoreStateTests {
    let store: JobStore
    let dir: URL

    init() throws {
        dir = TestPaths.scratch("states")
        store = try JobStore(path: dir.appendingPathComponent("db.sqlite").path)
    }

    func insert(_ id: String, state: JobStateMachine.State) throws {
        try store.insert(JobStoreTests().job(id))
        let path: [JobStateMachine.State] = [.queued, .planning, .running, .stitching]
        for (from, to) in zip(path, path.dropFirst()) {
            #expect(try store.move(id, .init(from: from, to: to)))
            if to == state { break }
        }
        #expect(try store.jobState(id) == state)
    }

    @Test func aMoveFromAStateTheJobLeftDoesNothing() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        try insert("a", state: .running)
        #expect(try !store.move("a", .init(from: .planning, to: .running)))
        #expect(try store.move("a", .init(from: .running, to: .cancelled, error: "cancelled by bob")))
        #expect(try !store.move("a", .init(from: .running, to: .stitching)))
        let row = try #require(try store.job("a"))
        #expect(row.state == .cancelled && row.error == "cancelled by bob" && row.finishedAt != nil && row.startedAt != nil)
        #expect(try store.advance("a") { $0.cancel(by: "bob") } == .refused("is already cancelled"))
        #expect(try store.advance("missing") { $0.start() } == .ignored)
    }

    /// A cancel races the stitch's end on many jobs at once: on each, exactly one of them moves
    /// the job, the other is judged on the state the winner left (refused, or ignored), and
    /// the store holds the winner's state with one final event.
    @Test func aCancelRacingCompletionHasExactlyOneWinner() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let ids = (0..<40).map { "job\($0)" }
        for id in ids { try insert(id, state: .stitching) }
        let store = self.store
        let results = try await withThrowingTaskGroup(of: (String, Bool, JobAdvance).self) { group in
            for id in ids {
                for cancels in [true, false] {
                    group.addTask {
                        // Synchronous store calls, as the stitch threads make them: off the pool.
                        let outcome = try await JobWorkers.offPool("race") {
                            try store.advance(id) { cancels ? $0.cancel(by: "ops") : $0.finished() }
                        }
                        return (id, cancels, outcome)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        var cancelWins = 0
        for id in ids {
            let mine = results.filter { $0.0 == id }
            let winners = mine.filter { if case .moved = $0.2 { true } else { false } }
            #expect(winners.count == 1, "job \(id): \(mine.map(\.2))")
            guard let winner = winners.first, let loser = mine.first(where: { $0.1 != winner.1 }) else { continue }
            let state = try await store.jobState(id)
            if winner.1 {
                cancelWins += 1
                #expect(state == .cancelled && loser.2 == .ignored)
            } else {
                #expect(state == .done && loser.2 == .refused("is already done"))
            }
            let finals = try await store.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE jobId = ? AND kind = 'state' AND message IN ('done', 'cancelled: cancelled by ops')",
                                 arguments: [id])
            }
            #expect(finals == 1)
        }
        print("cancel won \(cancelWins) of \(ids.count) races")
    }
}
