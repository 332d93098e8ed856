import Foundation
import GopfarmAPI
import GopfarmCommon
import ServiceLifecycle
import Synchronization

/// Live job views for the server-sent event streams, from one place. Four times a second it reads
/// the dispatcher's snapshot once (memory, no database) for every stream, updates each watched
/// job's view with it (and what a job being planned does) and yields the view to that job's streams when it changed (or after 15 s,
/// to keep idle connections alive). Only a state change (`jobChanged`, from the service) re-reads
/// the job from the store, once for all its streams. A final view ends its streams; the graceful
/// shutdown ends all of them (clients retry against the next coordinator).
final class ProgressPublisher: Service, Sendable {
    private struct Watch {
        var view: JobView
        /// The stored job changed: read it again at the next tick.
        var stale = true
        var sentAt: Double
        var streams: [Int: AsyncStream<JobView>.Continuation] = [:]
    }

    private struct Watches {
        var jobs: [String: Watch] = [:]
        var nextStream = 0
        var stopped = false
    }

    private let watches = Mutex(Watches())
    let views: JobViews
    static let interval = Duration.milliseconds(250)
    static let keepAliveSeconds = 15.0

    init(views: JobViews) { self.views = views }

    /// A stream of the job's views, starting with `first` and ending with its final one.
    func subscribe(_ first: JobView) -> AsyncStream<JobView> {
        let (stream, continuation) = AsyncStream.makeStream(of: JobView.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield(first)
        let job = first.id
        let id = first.state.isFinal ? nil : watches.withLock { w -> Int? in
            guard !w.stopped else { return nil }
            w.nextStream += 1
            w.jobs[job, default: Watch(view: first, sentAt: MonotonicClock.now())].streams[w.nextStream] = continuation
            return w.nextStream
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.drop(job, stream: id) }
        return stream
    }

    /// The stored job moved (state, output, error): its streams get it at the next tick.
    func jobChanged(_ job: String) {
        watches.withLock { $0.jobs[job]?.stale = true }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await tick()
            try? await Task.sleep(for: Self.interval)
        }
        stop()
    }

    func tick() async {
        let stale = watches.withLock { w -> [String]? in
            guard !w.jobs.isEmpty else { return nil }
            let ids = w.jobs.filter(\.value.stale).map(\.key)
            for id in ids { w.jobs[id]?.stale = false }
            return ids
        }
        guard let stale else { return }
        var reloaded: [String: JobView] = [:]
        for id in stale {
            if let row = try? await views.store.job(id), let view = try? await views.load(row) { reloaded[id] = view }
        }
        let snapshot = views.dispatcher.snapshot
        let now = MonotonicClock.now()
        var sends: [(JobView, [AsyncStream<JobView>.Continuation])] = []
        watches.withLock { w in
            for (id, var watch) in w.jobs {
                let next = JobViews.planned(JobViews.updated(reloaded[id] ?? watch.view, live: snapshot.jobs[id]),
                                            views.planning.entry(id))
                guard next != watch.view || now - watch.sentAt > Self.keepAliveSeconds else { continue }
                watch.view = next
                watch.sentAt = now
                sends.append((next, Array(watch.streams.values)))
                w.jobs[id] = next.state.isFinal ? nil : watch
            }
        }
        // Outside the lock: finishing a stream calls its termination handler, which takes it.
        for (view, streams) in sends {
            for stream in streams {
                stream.yield(view)
                if view.state.isFinal { stream.finish() }
            }
        }
    }

    private func drop(_ job: String, stream: Int) {
        watches.withLock { w in
            w.jobs[job]?.streams[stream] = nil
            if w.jobs[job]?.streams.isEmpty == true { w.jobs[job] = nil }
        }
    }

    private func stop() {
        let streams = watches.withLock { w in
            w.stopped = true
            defer { w.jobs = [:] }
            return w.jobs.values.flatMap(\.streams.values)
        }
        for stream in streams { stream.finish() }
    }
}
