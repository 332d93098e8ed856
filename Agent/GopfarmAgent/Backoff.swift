/// Delays between hellos while the coordinator does not answer: 1 s, 2 s, 4 s … `maximum`,
/// back to the start once welcomed. Quick to rejoin after a blip; a coordinator that is down
/// for an hour (or keeps refusing our key) gets one hello every `maximum` seconds, not a flood.
struct Backoff {
    let first: Double
    let maximum: Double
    private var current: Double

    init(first: Double = 1, maximum: Double = 10) {
        self.first = first
        self.maximum = maximum
        current = first
    }

    /// The delay before the next attempt; each call doubles the following one.
    mutating func next() -> Double {
        defer { current = min(maximum, current * 2) }
        return current
    }

    mutating func reset() { current = first }
}
