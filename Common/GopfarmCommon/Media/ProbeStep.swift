/// The two passes of `MediaProbe` a progress line names.
public enum ProbeStep: String, Codable, Sendable, Equatable {
    /// Reading the file's packets (every input).
    case reading
    /// Decoding the video for its frames' order (only streams whose container gives no
    /// presentation times and whose decoder reorders: H.264 or HEVC in AVI, raw streams).
    case decoding

    /// What a progress line says the probe does to the file `name`.
    public func doing(_ name: String) -> String {
        self == .reading ? "reading \(name)" : "decoding \(name) for its frames' order"
    }
}

/// A fraction reported at most once per percent: `next` returns it when it reached a new percent.
struct ProgressSteps {
    private var percent = 0

    mutating func next(_ fraction: Double) -> Double? {
        let now = Int(min(1, max(0, fraction)) * 100)
        guard now > percent else { return nil }
        percent = now
        return Double(now) / 100
    }
}
