/// Bit rates of a track's media segments (init section excluded), as RFC 8216 and ISO/IEC
/// 23009-1 define them; computed from the real sizes and durations, never from encoder targets.
public enum SegmentBitrates {
    /// RFC 8216 4.1 peak segment bit rate: the largest bit rate of any contiguous set of
    /// segments lasting between 0.5 and 1.5 times the target duration; when no set qualifies
    /// (a track shorter than half the target), the whole track's rate.
    public static func peak(sizes: [Int], durations: [Double], target: Double) -> Double {
        var best = 0.0
        let n = min(sizes.count, durations.count)
        for i in 0..<n {
            var bytes = 0, time = 0.0
            for j in i..<n {
                bytes += sizes[j]
                time += durations[j]
                if time > 1.5 * target + 1e-9 { break }
                if time >= 0.5 * target - 1e-9, time > 0 { best = max(best, 8 * Double(bytes) / time) }
            }
        }
        return best > 0 ? best : average(sizes: sizes, durations: durations)
    }

    /// RFC 8216 4.1 average segment bit rate: all media segment bits over the total duration.
    public static func average(sizes: [Int], durations: [Double]) -> Double {
        let total = durations.reduce(0, +)
        return total > 0 ? 8 * Double(sizes.reduce(0, +)) / total : 0
    }

    /// The smallest DASH @bandwidth that keeps the MPD's promise (ISO/IEC 23009-1 5.3.5.2):
    /// delivered at that rate after `minBufferTime` seconds of buffering, every run of
    /// segments from any start has arrived by the time playback reaches its end.
    /// The @bandwidth the MPD says: that smallest rate, but never below the track's average.
    /// Over a title a few buffers long the smallest rate falls well below the average (a 12 s
    /// clip with 4 s of buffer: 25–45 % below), and players pick renditions by @bandwidth as
    /// the rate they must sustain.
    public static func dashAdvertised(sizes: [Int], durations: [Double], minBufferTime: Double) -> Double {
        max(dashBandwidth(sizes: sizes, durations: durations, minBufferTime: minBufferTime), average(sizes: sizes, durations: durations))
    }

    public static func dashBandwidth(sizes: [Int], durations: [Double], minBufferTime: Double) -> Double {
        var need = 0.0
        let n = min(sizes.count, durations.count)
        for k in 0..<n {
            var bits = 0.0, time = 0.0
            for j in k..<n {
                bits += 8 * Double(sizes[j])
                time += durations[j]
                need = max(need, bits / (minBufferTime + time))
            }
        }
        return need
    }
}
