import Foundation
import GopfarmCommon

/// An agent's protocol rules as a value: events in (a tick at time `t`, a message from the
/// coordinator, a segment finished, whether the link took a send), actions out (send, start,
/// reconnect, leave, exit). No socket, thread, clock or file: `AgentRuntime` (and the bench's
/// fleet) carry out the actions, and tests drive it as plain sequences.
///
/// The rules: say hello (again on a fresh link, with back-off) until welcomed; on a welcome ask
/// for every slot and prefetch place not taken; start an assignment when a slot is free, else
/// queue it; a revoke drops a queued one (the coordinator gives the credit back itself); results
/// wait in the `ResultOutbox` until an ack proves they were read, and go out again after the
/// next welcome; heartbeats list running and queued segments; silence past the limit means the
/// coordinator is gone; a goodbye dismisses, unless it says the coordinator forgot us; a stop
/// signal finishes what runs, delivers its results, then leaves (without waiting for a coordinator
/// that stopped answering: it runs those segments again).
public struct AgentCore: Sendable {
    public let settings: Settings
    private var welcomed = false
    private var everWelcomed = false
    private var hellos = 0
    private var nextHello = -Double.infinity
    private var lastHeard = 0.0
    /// The last thing heard was a part of a larger message.
    private var hearingParts = false
    private var lastHeartbeat = -Double.infinity
    private var stopSince: Double?
    private var backoff = Backoff()
    /// Refusals in a row that said to try again (a name held by another agent).
    private var refusals = 0
    /// How many such refusals before the agent gives up with the coordinator's sentence: one
    /// is the restart of a killed agent whose session has not gone quiet long enough yet.
    public static let refusalsBeforeGivingUp = 3
    /// The coordinator asked it to wait (`AgentWelcome.later`), and the agent said so once.
    private var toldWaiting = false
    /// The last hello was answered (asked to wait): the link works, the next hello needs no new one.
    private var helloAnswered = false
    private var outbox = ResultOutbox()
    /// Started and not finished, oldest first.
    private var running: [SegmentAssignment] = []
    /// Prefetched assignments waiting for a free slot, oldest first.
    private var queue: [(assignment: SegmentAssignment, payload: Data)] = []
    /// During a flush: the time of its tick, slots freed so far, whether the result in flight
    /// carries its own request.
    private var flushTime = 0.0
    private var flushFreed = 0
    private var inFlightCarriesCredit = false
    /// Running segments the coordinator revoked, being given up; slots they freed, to ask for.
    private var aborting: Set<SegmentKey> = []
    private var freedByAborts = 0

    public init(settings: Settings) {
        self.settings = settings
    }

    public var isWelcomed: Bool { welcomed }
    public var isStopping: Bool { stopSince != nil }
    public var runningCount: Int { running.count }
    public var queued: [SegmentKey] { queue.map { SegmentKey($0.assignment) } }
    /// Results not yet proven read by the coordinator.
    public var undeliveredResults: Int { outbox.count }

    /// Time passes: stop handling, queued starts, silence, hellos, then (welcomed) results,
    /// the request for the slots they freed, and the heartbeat when due. `stopSignals` counts
    /// SIGTERM/SIGINT so far: one finishes what runs, two leave at once.
    public mutating func tick(at now: Double, stopSignals: Int = 0) -> [Action] {
        var out: [Action] = []
        if stopSignals > 0 {
            let since = stopSince ?? now
            if stopSince == nil {
                stopSince = now
                out.append(.note(.stopping(running: running.count, results: outbox.count, handedBack: queue.count)))
                queue = []  // our goodbye hands them back
            }
            if running.isEmpty, outbox.isEmpty {
                return out + [.note(.stopped), .leave("agent stopped (SIGTERM)")]
            }
            let why: StopWhy? = stopSignals > 1 ? .secondSignal
                : now - since > settings.stopTimeoutSeconds ? .stopTimeout
                : running.isEmpty && !welcomed && now - lastHeard > settings.silenceSeconds * 2 ? .coordinatorSilent(seconds: Int(now - lastHeard))
                : nil
            if let why {
                return out + [.note(.stoppingNow(running: running.count, results: outbox.count, why: why)),
                              .leave("agent stopped before finishing its segments")]
            }
        }
        while running.count < settings.slots, !queue.isEmpty {
            let (assignment, payload) = queue.removeFirst()
            running.append(assignment)
            out.append(.startSegment(assignment, payload: payload))
        }
        // In the middle of a message three times the limit: a slow link that drops packets stalls
        // TCP for seconds at a time, and each hello again restarted the transfer (as on the
        // coordinator's side, `DispatchCore.expire`).
        if welcomed, now - lastHeard > settings.silenceSeconds * (hearingParts ? 3 : 1) {
            out.append(.note(.silent(seconds: Int(now - lastHeard))))
            welcomed = false
            nextHello = now
        }
        if !welcomed, now >= nextHello {
            if hellos > 0, !helloAnswered { out.append(.reconnect) }
            helloAnswered = false
            out.append(.sendHello)
            hellos += 1
            nextHello = now + backoff.next()
        }
        guard welcomed else { return out }
        flushTime = now
        flushFreed = 0
        return out + flushStep()
    }

    /// A message from the coordinator arrived at `now` (any message proves it is there).
    public mutating func received(_ message: Incoming, at now: Double) -> [Action] {
        lastHeard = now
        hearingParts = message == .part
        switch message {
        case .welcome(let welcome):
            guard welcome.accepted else {
                let reason = welcome.reason ?? "the coordinator refused this agent"
                if welcome.later == true {
                    // Not a refusal: the coordinator is getting ready (resuming its jobs). Results
                    // stay in the outbox for the welcome; say so once, not at every hello.
                    let seconds = min(10, max(0.05, Double(welcome.retryAfterMilliseconds ?? 500) / 1000))
                    nextHello = now + seconds
                    helloAnswered = true
                    defer { toldWaiting = true }
                    return toldWaiting ? [] : [.note(.waiting(reason))]
                }
                if let ms = welcome.retryAfterMilliseconds, refusals < Self.refusalsBeforeGivingUp {
                    refusals += 1
                    let seconds = min(60, max(0.1, Double(ms) / 1000))
                    nextHello = now + seconds
                    return [.note(.refusedForNow(reason, retryInSeconds: seconds))]
                }
                return [.exit(.refused(reason))]
            }
            refusals = 0
            toldWaiting = false
            guard !welcomed else { return [] }
            welcomed = true
            backoff.reset()
            lastHeartbeat = -Double.infinity
            // Results finished while away are in the outbox; their slots count as free.
            outbox.sessionStarted()
            var out: [Action] = [.note(.connected(again: everWelcomed, running: running.count, results: outbox.count))]
            everWelcomed = true
            let wanted = settings.slots + settings.prefetch - running.count - queue.count
            if stopSince == nil, wanted > 0 { out.append(.sendCredit(wanted)) }
            return out
        case .assignment(let assignment, let payload):
            if stopSince != nil {
                return [.note(.notStarting(segment: assignment.segment))]
            } else if running.count < settings.slots, queue.isEmpty {
                running.append(assignment)
                return [.startSegment(assignment, payload: payload)]
            } else {
                queue.append((assignment, payload))
                return [.note(.queued(segment: assignment.segment, queued: queue.count))]
            }
        case .goodbye(let bye):
            guard bye.reason != AgentGoodbye.unknownAgent else {
                welcomed = false
                nextHello = now
                return []
            }
            return [.note(.dismissed(bye.reason)), .exit(.dismissed(bye.reason))]
        case .revoke(let revoke):
            let key = SegmentKey(job: revoke.job, segment: revoke.segment, attempt: revoke.attempt)
            let before = queue.count
            queue.removeAll { SegmentKey($0.assignment) == key }
            if queue.count < before { return [.note(.revoked(segment: revoke.segment, dropped: true))] }
            // Running: the coordinator no longer wants it (its job ended); the slot gives it up,
            // and no result or failure of it is sent (`segmentFinished`).
            guard running.contains(where: { SegmentKey($0) == key }), aborting.insert(key).inserted else { return [] }
            return [.abortSegment(key), .note(.revoked(segment: revoke.segment, dropped: false))]
        case .heartbeatAck:
            outbox.ackReceived()
            return []
        case .other, .part:
            return []
        }
    }

    /// A slot finished `key` (result or failure); it goes out at the next tick while welcomed.
    public mutating func segmentFinished(_ key: SegmentKey, _ outcome: ResultOutbox.Outcome) {
        running.removeAll { SegmentKey($0) == key }
        guard aborting.remove(key) == nil else {
            // Given up on request: nothing to deliver, the slot is free again.
            if stopSince == nil { freedByAborts += 1 }
            return
        }
        outbox.add([ResultOutbox.Entry(outcome: outcome)])
    }

    /// The answer to `.sendResult`: whether the link took it. Returns the next result, or, when
    /// none is left or the link is full, the request for the freed slots and the heartbeat.
    public mutating func resultSent(accepted: Bool) -> [Action] {
        guard accepted, let entry = outbox.markFirstSent() else { return flushEnd() }
        if entry.owesRequest, !inFlightCarriesCredit { flushFreed += 1 }
        return flushStep()
    }

    /// The answer to `.sendHeartbeat` when the link took it (acks are counted against it).
    public mutating func heartbeatSent() {
        outbox.heartbeatSent()
    }

    private mutating func flushStep() -> [Action] {
        guard var entry = outbox.firstPending else { return flushEnd() }
        inFlightCarriesCredit = false
        if settings.creditWithResult, entry.owesRequest, stopSince == nil, case .result(var result, let payloads) = entry.outcome {
            result.requestSlots = 1
            entry.outcome = .result(result, payloads: payloads)
            inFlightCarriesCredit = true
        }
        return [.sendResult(entry)]
    }

    private mutating func flushEnd() -> [Action] {
        var out: [Action] = []
        flushFreed += freedByAborts
        freedByAborts = 0
        if flushFreed > 0, stopSince == nil { out.append(.sendCredit(flushFreed)) }
        flushFreed = 0
        if flushTime - lastHeartbeat >= settings.heartbeatSeconds {
            out.append(.sendHeartbeat(heartbeat()))
            lastHeartbeat = flushTime
        }
        return out
    }

    private func heartbeat() -> AgentHeartbeat {
        AgentHeartbeat(inProgress: running.map {
            AgentHeartbeat.Progress(job: $0.job, segment: $0.segment, attempt: $0.attempt, frames: 0)
        } + queue.map {
            AgentHeartbeat.Progress(job: $0.assignment.job, segment: $0.assignment.segment, attempt: $0.assignment.attempt,
                                    frames: 0, queued: true)
        })
    }
}
