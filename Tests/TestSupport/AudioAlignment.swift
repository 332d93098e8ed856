import Foundation

/// Where an audio track's *content* sits relative to the first video frame, found by decoding
/// both files to PCM and cross-correlating: independent of codec priming, edit lists and
/// container quirks, so it also judges audio that was re-encoded.
public enum AudioAlignment {
    static let rate = 8000

    /// Seconds by which `output`'s audio track `track` is late (positive) or early (negative)
    /// against `source`'s, both measured from each file's first video frame.
    public static func offset(source: String, output: String, track: Int, searchSeconds: Double = 0.05) throws -> Double {
        let (srcStart, src) = try decode(source, track: track)
        let (outStart, out) = try decode(output, track: track)
        guard src.count > rate, out.count > rate else {
            throw FFmpegOracle.Failure(description: "audio track \(track) too short to align")
        }
        // Compare one second from the middle; lag in samples of `out` relative to `src`.
        let window = rate
        let base = min(src.count, out.count) / 2 - window / 2
        let maxLag = Int(searchSeconds * Double(rate))
        var best = (lag: 0, score: -Double.infinity)
        for lag in -maxLag...maxLag {
            var sum = 0.0, energy = 0.0
            for i in 0..<window {
                let j = base + i + lag
                guard j >= 0, j < out.count else { continue }
                let a = Double(src[base + i]), b = Double(out[j])
                sum += a * b
                energy += b * b
            }
            let score = energy > 0 ? sum / energy.squareRoot() : 0
            if score > best.score { best = (lag, score) }
        }
        // Sample k of a stream plays at start + k / rate: content at src[k] is at out[k + lag].
        return (outStart + Double(best.lag) / Double(rate)) - srcStart
    }

    /// The track decoded to mono 8 kHz, and the time of its first sample from the first video frame.
    ///
    /// The CLI decodes from its own zero, the file's start time (the earliest packet of any
    /// stream), and `first_pts=0` pads the track with silence from there: sample 0 is at the
    /// file's start, not at the track's first decoded frame. They differ where the first packet
    /// is trimmed by the decoder (Opus pre-skip: a packet at -7 ms whose first sound is at 0).
    static func decode(_ path: String, track: Int) throws -> (Double, [Int16]) {
        let video = try FFmpegOracle.absoluteFrameTimes(path).first ?? 0
        let format = try Subprocess.run("ffprobe", ["-v", "error", "-show_entries", "format=start_time", "-of", "csv=p=0", path])
        guard let first = Double(format.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw FFmpegOracle.Failure(description: "no start time in \(path)")
        }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("pcm-\(UUID().uuidString).raw")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let pcm = try Subprocess.run("ffmpeg", ["-v", "error", "-i", path, "-map", "0:a:\(track)", "-ac", "1", "-ar", "\(rate)",
                                                "-af", "aresample=async=0:first_pts=0", "-f", "s16le", "-y", tmp.path])
        guard pcm.status == 0 else { throw FFmpegOracle.Failure(description: "cannot decode audio of \(path): \(pcm.stderr)") }
        let data = try Data(contentsOf: tmp)
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
        return (first - video, samples)
    }
}
