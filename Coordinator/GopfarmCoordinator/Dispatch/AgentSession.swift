import Foundation
import GopfarmCommon

/// What the dispatcher knows of one connected agent.
struct AgentSession {
    /// A segment of a job; an agent may hold segments of several jobs.
    struct SegmentRef: Hashable {
        var job: String
        var segment: Int
    }

    struct Attempt: Hashable {
        var job: String
        var segment: Int
        var attempt: Int
    }

    let identity: Data
    let hello: AgentHello
    let publicKey: String?
    let joined: Double
    /// The state machines' name for this agent. With CURVE it is the agent's public key, the
    /// same over reconnections, so results an agent re-sends after a network cut still match
    /// their leases. On plain TCP it is the name plus the process id (a reconnection of the same
    /// process keeps it). Two keys never share a name (`hello`). Made once: every message looks it up.
    let key: String
    var credits = 0
    /// Join order (the dispatcher serves agents in it).
    var order = 0
    var lastSeen: Double
    /// The last message was a part of a larger one (a result on its way): its heartbeats wait
    /// behind the rest, so a slow link's stall is no sign the agent is gone (see `expire`).
    var sendingParts = false
    /// Bytes of a large message it last said had arrived (a segment's input on its way).
    var receiving: Int?
    var leases: Set<SegmentRef> = []
    /// Frames done per leased segment, from the last heartbeat.
    var progress: [SegmentRef: Int] = [:]
    /// Attempts taken back from this agent for lack of progress that its heartbeats still list:
    /// each holds one of its slots. An agent whose every slot is held so is stuck.
    var stalled: Set<Attempt> = []
    /// Leases taken over from an earlier connection that no heartbeat of this one listed yet: an
    /// assignment sent to the old connection may never have arrived (a cut, or an agent that
    /// gave up waiting while a large segment was still on a slow link).
    var unconfirmed: Set<SegmentRef> = []
    /// Work its heartbeats list running that is not its lease (a copy that lost, a segment of a
    /// finished job): frames and when they last grew. Such work holds a slot; once it makes no
    /// progress for the lease bound it counts as `stalled`.
    var phantoms: [Attempt: (frames: Int, since: Double)] = [:]
    /// Leases of an ended job revoked before any heartbeat listed them, with when they last
    /// progressed: the assignment may never have arrived, and the place the agent asked for for
    /// it would be lost (it asks again only for a slot it frees). Listed later, each resolves as
    /// a revoke does; still unlisted after the lease bound, the place is given back (`expire`).
    var revokedUnlisted: [Attempt: Double] = [:]
    var segmentsDone = 0
    var framesDone = 0
    /// (time, frames done including in-progress) samples of the last seconds, for frames/s.
    var rateSamples: [(Double, Int)] = []
    /// Frames counted for the rate: only ever up (work given up, such as a cancelled job's
    /// segment, leaves the total but is no negative rate), and the last total seen.
    private var counted = 0
    private var lastTotal = 0

    init(identity: Data, hello: AgentHello, publicKey: String?, now: Double) {
        self.identity = identity
        self.hello = hello
        self.publicKey = publicKey
        joined = now
        lastSeen = now
        // CURVE: the agent's public key. Plain TCP: its name and process id, which a reconnection
        // of the same process keeps (its ZeroMQ identity is new), so it takes over its own leases
        // as a CURVE agent does, instead of showing up as a second agent beside its silent self.
        key = publicKey.map { "key:" + $0 } ?? "\(hello.name)#pid\(hello.pid)"
    }

    var name: String { hello.name }

    var isStuck: Bool { stalled.count >= hello.slots }

    /// Places taken: its leases, work taken back that it still lists, and other work it lists.
    var occupied: Int { leases.count + stalled.count + phantoms.count }

    /// Segments it may hold: its slots plus those it prefetches (at most 4 queued).
    var capacity: Int { hello.slots + min(max(hello.prefetch ?? 0, 0), 4) }

    /// The agent asks work for `slots` free slots or queue places; never more than it may hold.
    mutating func credit(_ slots: Int) {
        credits = min(capacity, credits + max(0, min(slots, capacity)))
    }

    /// The segment is no longer this agent's to run (a result, a failure, a lease taken back).
    mutating func release(_ ref: SegmentRef, attempt: Int) {
        leases.remove(ref)
        progress[ref] = nil
        stalled.remove(Attempt(job: ref.job, segment: ref.segment, attempt: attempt))
    }

    /// A new connection of the same agent (same key) takes over the old one's work.
    mutating func takeOver(_ old: AgentSession) {
        leases = old.leases
        unconfirmed = old.leases
        progress = old.progress
        stalled = old.stalled
        segmentsDone = old.segmentsDone
        framesDone = old.framesDone
        rateSamples = old.rateSamples
        counted = old.counted
        lastTotal = old.lastTotal
    }

    mutating func sampleRate(now: Double) {
        let total = framesDone + progress.values.reduce(0, +)
        counted += max(0, total - lastTotal)
        lastTotal = total
        rateSamples.append((now, counted))
        rateSamples.removeAll { now - $0.0 > 10 }
    }

    var framesPerSecond: Double {
        guard let first = rateSamples.first, let last = rateSamples.last, last.0 - first.0 > 0.5 else { return 0 }
        return Double(last.1 - first.1) / (last.0 - first.0)
    }

    func status(now: Double, draining: Bool) -> AgentStatus {
        AgentStatus(
            name: name, state: draining ? .draining : isStuck ? .stuck : (leases.isEmpty ? .idle : .working),
            slots: hello.slots, busy: min(leases.count + stalled.count, hello.slots), threads: hello.threads, cores: hello.cores,
            version: hello.agentVersion, encoders: hello.encoders, publicKey: publicKey,
            segmentsDone: segmentsDone, framesPerSecond: (framesPerSecond * 10).rounded() / 10,
            lastHeartbeatSecondsAgo: ((now - lastSeen) * 10).rounded() / 10, connectedSeconds: (now - joined).rounded())
    }
}
