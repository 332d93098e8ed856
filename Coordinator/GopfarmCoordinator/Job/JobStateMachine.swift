/// One service job's life, as a pure value: events in, decisions out.
///
/// ```
/// queued ─start─▶ planning ─planned─▶ running ─dispatched─▶ stitching ─finished─▶ done
///   │ (a restart resumes planning, running or stitching by planning again: finished segments are kept)
///   └─ any state that is not final ─fail─▶ failed,  ─cancel─▶ cancelled
/// ```
/// The machine reads no clock, store or socket. The shell around it (the service) loads the
/// stored state, asks the machine, and carries out the decision: the store moves the job only
/// with a compare-and-set (`UPDATE … WHERE state = from`), so when two writers race (a cancel
/// and the stitch's end) exactly one move lands; the loser reloads the state, starts a machine
/// from it and asks again, so its event is judged on what really happened.
public struct JobStateMachine: Sendable, Equatable {
    /// The stored states; the raw values are the store's and the API's.
    public enum State: String, Sendable, CaseIterable {
        case queued, planning, running, stitching, done, failed, cancelled

        public var isFinal: Bool { self == .done || self == .failed || self == .cancelled }
    }

    /// A move the store makes only if the job is still in `from`.
    public struct Transition: Sendable, Equatable {
        public var from: State
        public var to: State
        /// Stored with a failure or a cancellation.
        public var error: String?

        public init(from: State, to: State, error: String? = nil) {
            self.from = from
            self.to = to
            self.error = error
        }
    }

    /// What the shell does once the move landed.
    public enum Action: Sendable, Equatable {
        /// Probe and plan the input on a worker thread.
        case prepare
        /// Hand the planned job to the dispatcher.
        case dispatch
        /// Stitch (and analyze) the completed segments on a worker thread.
        case stitch
        /// Tell the dispatcher to stop handing out the job's segments, and drop its work.
        case stopDispatch
        /// The job is over: drop whatever is held for it.
        case forget
    }

    public enum Decision: Sendable, Equatable {
        /// Move the job, then do `then`.
        case move(Transition, then: Action)
        /// The event comes too late to matter (the job moved on or ended): do nothing.
        case ignore
        /// The event is not allowed now; the sentence says why (an API conflict).
        case refuse(String)
    }

    public private(set) var state: State

    public init(state: State = .queued) { self.state = state }

    /// A new job starts, or a restarted coordinator resumes an unfinished one: plan (again).
    public mutating func start() -> Decision {
        guard !state.isFinal else { return .ignore }
        return move(to: .planning, then: .prepare)
    }

    /// Probe and plan succeeded: dispatch. A job cancelled or failed meanwhile stays so.
    public mutating func planned() -> Decision {
        guard state == .planning else { return .ignore }
        return move(to: .running, then: .dispatch)
    }

    /// The dispatcher accepted every segment: stitch.
    public mutating func dispatched() -> Decision {
        guard state == .running else { return .ignore }
        return move(to: .stitching, then: .stitch)
    }

    /// The output is written and recorded.
    public mutating func finished() -> Decision {
        guard state == .stitching else { return .ignore }
        return move(to: .done, then: .forget)
    }

    /// Planning, dispatch or stitching failed. A job that already ended keeps its end.
    public mutating func fail(_ message: String) -> Decision {
        guard !state.isFinal else { return .ignore }
        return move(to: .failed, error: message, then: .stopDispatch)
    }

    /// Someone cancels the job: allowed until it ends.
    public mutating func cancel(by who: String) -> Decision {
        guard !state.isFinal else { return .refuse("is already \(state.rawValue)") }
        return move(to: .cancelled, error: "cancelled by \(who)", then: .stopDispatch)
    }

    private mutating func move(to next: State, error: String? = nil, then action: Action) -> Decision {
        defer { state = next }
        return .move(Transition(from: state, to: next, error: error), then: action)
    }
}
