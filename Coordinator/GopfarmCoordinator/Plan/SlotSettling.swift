/// When a job that found no agent connected may be planned, so that its plan is cut for the
/// slots it will have rather than for one (`SegmentPlanner` fills the last round for them).
///
/// Pure: the caller observes the connected agents (not draining) over time and plans when this
/// says so. Agents connected at the first look: plan at once. None: wait, however long (a job
/// cannot run without agents anyway). Once the first arrives, wait until the fleet has not
/// changed for `settleSeconds`, so agents started together all count, but never longer than
/// `maxSeconds` after the first, and not at all once `maxAgents` are there.
public struct SlotSettling: Sendable {
    public enum Decision: Sendable, Equatable {
        case wait
        case plan(slots: Int)
    }

    public var settleSeconds: Double
    public var maxSeconds: Double
    private var looked = false
    private var firstSeen: Double?
    private var lastChange = 0.0
    private var lastSlots = 0

    public init(settleSeconds: Double = 2, maxSeconds: Double = 10) {
        self.settleSeconds = settleSeconds
        self.maxSeconds = maxSeconds
    }

    /// `slots`: those of the agents the job may use (the `maxAgents` largest); `agents`: how
    /// many are connected and not draining.
    public mutating func observe(slots: Int, agents: Int, maxAgents: Int?, now: Double) -> Decision {
        defer { looked = true }
        guard agents > 0 else {
            firstSeen = nil
            return .wait
        }
        if !looked || agents >= (maxAgents ?? .max) { return .plan(slots: slots) }
        guard let first = firstSeen else {
            (firstSeen, lastChange, lastSlots) = (now, now, slots)
            return .wait
        }
        if slots != lastSlots { (lastChange, lastSlots) = (now, slots) }
        return now - lastChange >= settleSeconds || now - first >= maxSeconds ? .plan(slots: slots) : .wait
    }
}
