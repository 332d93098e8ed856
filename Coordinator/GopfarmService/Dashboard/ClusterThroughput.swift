import Foundation
import GopfarmCoordinator

/// The farm's output over the last hour: frames of completed segments per minute, drawn as a
/// bar chart (one bar a minute, in frames per second). Pure: the store gives the completions.
struct ClusterThroughput {
    let window: TimeInterval
    let bucket: TimeInterval
    /// Frames per second in each bucket, oldest first.
    let rates: [Double]
    let segments: Int
    let frames: Int

    init(completions: [(at: Date, frames: Int)], now: Date, window: TimeInterval = 3600, bucket: TimeInterval = 60) {
        self.window = window
        self.bucket = bucket
        let n = Int(window / bucket)
        var frames = [Int](repeating: 0, count: n)
        var segments = 0, total = 0
        for c in completions {
            let age = now.timeIntervalSince(c.at)
            guard age >= 0, age < window else { continue }
            let i = n - 1 - Int(age / bucket)
            frames[i] += c.frames
            segments += 1
            total += c.frames
        }
        rates = frames.map { Double($0) / bucket }
        self.segments = segments
        self.frames = total
    }

    /// The highest minute's rate.
    var peak: Double { rates.max() ?? 0 }

    /// The chart: minutes before now on the x axis, frames per second up.
    func svg() -> String {
        let minutes = window / 60
        var plot = SVGPlot(x: -minutes...0, y: 0...max(1, peak * 1.1), yTitle: "frames/s", height: 200)
        plot.xTitle = "minutes ago"
        plot.xLabels = stride(from: -minutes, through: 0, by: 10).map { ($0, $0 == 0 ? "now" : "\(Int(-$0))") }
        let step = bucket / 60
        for (i, r) in rates.enumerated() where r > 0 {
            let from = -minutes + Double(i) * step
            plot.bar(from: from + step * 0.08, to: from + step * 0.92, low: 0, high: r, class: "bar thr", label: "",
                     title: String(format: "%.1f frames/s, %d–%d min ago", r, Int(minutes - Double(i) * step), Int(minutes - Double(i + 1) * step)))
        }
        if segments == 0 { plot.note("no segment completed in the last hour") }
        return plot.svg(label: "frames per second encoded by the cluster, each minute of the last hour")
    }
}
