import GopfarmAPI
import GopfarmCommon
import Synchronization

/// What the jobs being planned are doing, for their views: reading their input (the probe's
/// share read, `JobView.reading`) or, probed, waiting for an agent to connect before they are
/// planned (`PipelineService.slotsToPlan`, `JobView.waitingForAgents`). Memory only: a restart
/// plans such a job again from the start.
final class PlanningJobs: Sendable {
    struct Entry: Equatable, Sendable {
        var reading: JobView.Reading?
        var waiting = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// The probe reached `fraction` of `step` (at most once per percent: `MediaProbe`).
    func read(_ id: String, _ step: ProbeStep, _ fraction: Double) {
        change(id) { $0.reading = JobView.Reading(step: step, fraction: fraction) }
    }

    /// The probe is over, however it ended.
    func doneReading(_ id: String) { change(id) { $0.reading = nil } }

    func beginWaiting(_ id: String) { change(id) { $0.waiting = true } }
    func endWaiting(_ id: String) { change(id) { $0.waiting = false } }

    func entry(_ id: String) -> Entry? { entries.withLock { $0[id] } }

    private func change(_ id: String, _ body: (inout Entry) -> Void) {
        entries.withLock { entries in
            var entry = entries[id] ?? Entry()
            body(&entry)
            entries[id] = entry == Entry() ? nil : entry
        }
    }
}
