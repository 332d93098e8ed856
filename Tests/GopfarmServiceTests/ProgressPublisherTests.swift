import Foundation
import GopfarmAPI
import GopfarmCommon
import GopfarmCoordinator
@testable import GopfarmService
import Logging
import Testing
import TestSupport

/// The one publisher behind every progress stream: a state move it is told of is read from the
/// store once and pushed to every stream of the job; a final view ends them.
@Suite("Progress publisher")
struct ProgressPublisherTests {
    @Test func streamsGetStateMovesOnceAndEndWithTheFinalView() async throws {
        let dir = TestPaths.scratch("publisher")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try JobStore(path: dir.appendingPathComponent("db.sqlite").path)
        try await store.insert(JobStoreTests().job("j"))
        let views = JobViews(store: store, dispatcher: Dispatcher(bind: "tcp://127.0.0.1:0", logger: Logger(label: "test")))
        let publisher = ProgressPublisher(views: views)
        let first = try await views.load(try #require(try await store.job("j")))
        let streams = [publisher.subscribe(first), publisher.subscribe(first)]
        var iterators = streams.map { $0.makeAsyncIterator() }
        for n in iterators.indices { #expect(await iterators[n].next()?.state == .queued) }

        await publisher.tick()  // a new watch reads the job once; nothing changed, nothing sent
        #expect(try await store.advance("j") { $0.start() } != .ignored)
        publisher.jobChanged("j")
        await publisher.tick()
        for n in iterators.indices { #expect(await iterators[n].next()?.state == .planning) }

        _ = try await store.advance("j") { $0.cancel(by: "ops") }
        publisher.jobChanged("j")
        await publisher.tick()
        for n in iterators.indices {
            let last = await iterators[n].next()
            #expect(last?.state == .cancelled && last?.error == "cancelled by ops")
            #expect(await iterators[n].next() == nil)
        }
        // A stream of a job that already ended gets its one view and ends.
        var ended = publisher.subscribe(try await views.load(try #require(try await store.job("j")))).makeAsyncIterator()
        #expect(await ended.next()?.state == .cancelled)
        #expect(await ended.next() == nil)
    }

    /// Nothing in the store moves while a job is probed: each tick takes the probe's share read
    /// (and, probed, the wait for an agent) from memory, and drops both once the job is planned.
    @Test func planningProgressReachesStreamsEveryTick() async throws {
        let dir = TestPaths.scratch("publisher-planning")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try JobStore(path: dir.appendingPathComponent("db.sqlite").path)
        try await store.insert(JobStoreTests().job("j"))
        let views = JobViews(store: store, dispatcher: Dispatcher(bind: "tcp://127.0.0.1:0", logger: Logger(label: "test")))
        let publisher = ProgressPublisher(views: views)
        #expect(try await store.advance("j") { $0.start() } != .ignored)
        var stream = publisher.subscribe(try await views.load(try #require(try await store.job("j")))).makeAsyncIterator()
        #expect(await stream.next()?.reading == nil)

        views.planning.read("j", .reading, 0.3)
        await publisher.tick()
        #expect(await stream.next()?.reading == JobView.Reading(step: .reading, fraction: 0.3))
        views.planning.read("j", .decoding, 0.45)
        await publisher.tick()
        let decoding = await stream.next()
        #expect(decoding?.reading == JobView.Reading(step: .decoding, fraction: 0.45) && decoding?.waitingForAgents == nil)

        views.planning.doneReading("j")
        views.planning.beginWaiting("j")
        await publisher.tick()
        let waiting = await stream.next()
        #expect(waiting?.reading == nil && waiting?.waitingForAgents == true)
        #expect(try await views.load(try #require(try await store.job("j"))).waitingForAgents == true)

        // Planned: a stale entry (a wait not yet ended) is not shown on a running job.
        #expect(try await store.advance("j") { $0.planned() } != .ignored)
        publisher.jobChanged("j")
        await publisher.tick()
        let running = await stream.next()
        #expect(running?.state == .running && running?.waitingForAgents == nil && running?.reading == nil)
        views.planning.endWaiting("j")
        #expect(views.planning.entry("j") == nil)
    }
}
