/// A long series reduced to the lowest and highest value in each pixel column of a plot, so a
/// million frames cost as much page as a thousand and a one-frame spike still shows.
struct ColumnEnvelope {
    struct Column {
        var x: Int
        var low: Double
        var high: Double
    }

    var columns: [Column] = []

    /// Nothing to draw.
    init() {}

    /// `time(i)` places value `i` on the x axis (seconds), non-decreasing in `i`; values outside
    /// `xRange` and nil values (not measured) are left out.
    init(count: Int, time: (Int) -> Double, value: (Int) -> Double?, xRange: ClosedRange<Double>, width: Int) {
        let span = xRange.upperBound - xRange.lowerBound
        guard count > 0, width > 0, span > 0 else { return }
        let scale = Double(width) / span
        var current: Column?
        for i in 0..<count {
            guard let v = value(i), v.isFinite else { continue }
            let t = time(i)
            guard t >= xRange.lowerBound, t <= xRange.upperBound else { continue }
            let x = min(width - 1, Int((t - xRange.lowerBound) * scale))
            if var c = current, c.x == x {
                c.low = min(c.low, v)
                c.high = max(c.high, v)
                current = c
            } else {
                if let c = current { columns.append(c) }
                current = Column(x: x, low: v, high: v)
            }
        }
        if let c = current { columns.append(c) }
    }

    var isEmpty: Bool { columns.isEmpty }
    var maximum: Double? { columns.map(\.high).max() }
}
