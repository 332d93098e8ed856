import Foundation
import GopfarmCommon
import Logging

/// The loop thread of `Dispatcher`: socket in, `DispatchCore` decisions, actions out.
extension Dispatcher {
    /// What the loop thread owns.
    struct Loop {
        var core: DispatchCore
        let socket: AgentSocket
        /// Each running job's open input, to cut segments from.
        var extractors: [String: SegmentExtractor] = [:]
        var events: [DispatchEvent] = []
        var lastPublish = 0.0
    }

    func loop() {
        let context = ZMQContext()
        let socket: AgentSocket
        let authenticator: ZAPHandler?
        do {
            authenticator = try security.prepare(context: context, logger: logger)
            socket = try AgentSocket(context: context, bind: bind, security: security, spillDirectory: spillDirectory.path)
            shared.withLock { $0.endpoint = .success(socket.endpoint) }
            startedSignal.signal()
        } catch {
            shared.withLock { $0.endpoint = .failure(error) }
            startedSignal.signal()
            return
        }
        var state = Loop(core: DispatchCore(timing: timing, logger: logger), socket: socket)
        if !resuming.isEmpty { feed(.resuming(jobs: resuming), now: MonotonicClock.now(), &state) }
        while !shared.withLock({ $0.stopRequested }) {
            do {
                for command in inbox.withLock({ box in defer { box.removeAll() }; return box }) {
                    apply(command, &state)
                }
                var handled = 0
                if try socket.poll(milliseconds: 10) {
                    while handled < 512, let received = try socket.next(at: MonotonicClock.now()) {
                        feed(.received(received, core: state.core), now: MonotonicClock.now(), &state)
                        handled += 1
                    }
                }
                let now = MonotonicClock.now()
                feed(.tick, now: now, &state)
                socket.sweep(now: now)
                socket.flush { state.core.agents[$0] != nil }
                flush(&state)
                if now - state.lastPublish > 0.1 {
                    let snapshot = state.core.snapshot(now: now)
                    shared.withLock { $0.snapshot = snapshot }
                    state.lastPublish = now
                }
            } catch {
                logger.error("dispatcher error", metadata: ["error": "\(error)"])
            }
        }
        flush(&state)
        if shared.withLock({ $0.dismissOnStop }) {
            socket.dismiss(state.core.agents.keys, reason: "coordinator stopped")
        }
        authenticator?.stop()
    }

    private func apply(_ command: Command, _ state: inout Loop) {
        switch command {
        case .add(let job, let restored, let makeExtractor):
            var openError: String?
            do { state.extractors[job.id] = try makeExtractor() } catch { openError = error.description }
            feed(.addJob(job, restored: restored, openError: openError), now: MonotonicClock.now(), &state)
        case .input(let input):
            feed(input, now: MonotonicClock.now(), &state)
        }
    }

    /// Feeds the core and carries out its actions (which may feed it again: a failed cut).
    private func feed(_ input: DispatchInput, now: Double, _ state: inout Loop) {
        var actions = state.core.handle(input, now: now)
        var i = 0
        while i < actions.count {
            switch actions[i] {
            case .send(let identity, let reply):
                _ = state.socket.send(reply.frames(), to: identity)
            case .assign(let identity, let assignment, let agent, let speculative):
                if let failure = send(assignment, to: identity, agent: agent, speculative: speculative, &state) {
                    actions += state.core.handle(failure, now: now)
                }
            case .record(let event):
                state.events.append(event)
            case .finished(let id, let outcome):
                state.extractors[id] = nil
                let counters = state.core.counters
                shared.withLock {
                    if keepsOutcomes { $0.outcomes[id] = outcome }
                    $0.snapshot.jobs[id] = nil
                    $0.snapshot.counters = counters  // current when the outcome is read
                }
            }
            i += 1
        }
    }

    /// Cuts the segment out of the input and sends it; what to tell the core when that failed.
    private func send(_ assignment: SegmentAssignment, to identity: Data, agent: String, speculative: Bool,
                      _ state: inout Loop) -> DispatchInput? {
        guard let job = state.core.job(assignment.job), let extractor = state.extractors[assignment.job] else { return nil }
        let started = MonotonicClock.now()
        let payload: Data
        // A large input waits in a file until the agent has read it, not in memory: agents on
        // slow links each hold one, for seconds.
        do { payload = SpillFile.hold(try extractor.extract(job.plan.segments[assignment.segment]), in: spillDirectory.path) } catch {
            return .extractionFailed(job: assignment.job, reason: error.description)
        }
        var message = assignment
        message.payloadSHA256 = SHA256.hex(payload)
        state.events.append(.assigned(job: assignment.job, segment: assignment.segment, attempt: assignment.attempt, agent: agent,
                                      speculative: speculative, extractSeconds: MonotonicClock.now() - started, sentBytes: payload.count))
        guard state.socket.send(message.frames(payloads: [payload]), to: identity) else {
            return .unreachable(identity: identity)
        }
        return nil
    }

    private func flush(_ state: inout Loop) {
        guard !state.events.isEmpty else { return }
        recorder.record(state.events)
        state.events.removeAll(keepingCapacity: true)
    }
}
